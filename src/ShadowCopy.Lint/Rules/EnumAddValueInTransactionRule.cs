namespace ShadowCopy.Lint.Rules;

internal sealed class EnumAddValueInTransactionRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "enum-add-value-in-transaction", LintSeverity.Error, "ALTER TYPE … ADD VALUE inside a transaction before PostgreSQL 12",
        "none (the statement fails)", TableEffect.None,
        "Run ALTER TYPE … ADD VALUE on its own outside BEGIN … COMMIT, or upgrade to PostgreSQL 12+ (where the new value is just unusable until commit).",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        statement.Kind == StatementKind.AlterType && statement.Tokens.Has("ADD", "VALUE") && context.InTransaction && !context.Target.Version.AtLeast(12)
            ? [new RuleHit(statement.First, "before PostgreSQL 12, ALTER TYPE … ADD VALUE cannot run inside a transaction block")]
            : [];
}
