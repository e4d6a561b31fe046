namespace ShadowCopy.Lint.Rules;

internal sealed class ReindexNonConcurrentRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "reindex-non-concurrent", LintSeverity.Warning, "REINDEX without CONCURRENTLY",
        "SHARE on the table (writes blocked) and ACCESS EXCLUSIVE on the index", TableEffect.Scan,
        "PostgreSQL 12+: REINDEX … CONCURRENTLY outside a transaction. Older: CREATE INDEX CONCURRENTLY a copy, DROP INDEX CONCURRENTLY the old one, rename.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        statement.Kind == StatementKind.Reindex && !statement.Concurrently
            ? [new RuleHit(statement.First, "REINDEX blocks writes to the table and reads through the index until it finishes")]
            : [];
}
