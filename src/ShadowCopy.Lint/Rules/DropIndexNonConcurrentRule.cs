namespace ShadowCopy.Lint.Rules;

internal sealed class DropIndexNonConcurrentRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "drop-index-non-concurrent", LintSeverity.Warning, "DROP INDEX without CONCURRENTLY",
        "ACCESS EXCLUSIVE on the index's table", TableEffect.None,
        "DROP INDEX CONCURRENTLY IF EXISTS … outside a transaction block.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        statement.Kind == StatementKind.DropIndex && !statement.Concurrently
            ? [new RuleHit(statement.First, "DROP INDEX waits for and then blocks every query on the table")]
            : [];
}
