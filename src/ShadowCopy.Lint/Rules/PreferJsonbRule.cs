namespace ShadowCopy.Lint.Rules;

internal sealed class PreferJsonbRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "prefer-jsonb", LintSeverity.Info, "json instead of jsonb",
        "none", TableEffect.None,
        "Use jsonb: json has no equality operator, so SELECT DISTINCT, UNION and some ORMs' change tracking fail on it, and it cannot be indexed with GIN.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        DefinedColumns(statement).Where(c => c.Column.TypeText == "json").Select(c => new RuleHit(c.At, $"{c.Name} is json (no equality operator)"));
}
