namespace ShadowCopy.Lint.Rules;

internal sealed class PreferIdentityRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "prefer-identity", LintSeverity.Info, "serial instead of an identity column",
        "none", TableEffect.None,
        "Use bigint GENERATED ALWAYS AS IDENTITY (PostgreSQL 10+): the sequence belongs to the column, permissions and dumps behave.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        context.Target.Version.AtLeast(10)
            ? DefinedColumns(statement).Where(c => c.Column.IsSerial).Select(c => new RuleHit(c.At, $"{c.Name} is {c.Column.TypeText}; an identity column is the standard form"))
            : [];
}
