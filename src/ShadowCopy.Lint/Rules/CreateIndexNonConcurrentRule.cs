namespace ShadowCopy.Lint.Rules;

internal sealed class CreateIndexNonConcurrentRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "create-index-non-concurrent", LintSeverity.Warning, "CREATE INDEX without CONCURRENTLY",
        "SHARE (writes blocked for the whole build)", TableEffect.Scan,
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS … outside a transaction block; if it fails, DROP INDEX CONCURRENTLY the INVALID leftover and retry.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        statement.Kind == StatementKind.CreateIndex && !statement.Concurrently && !context.IsNew(statement)
            ? [new RuleHit(statement.First, $"building the index blocks INSERT, UPDATE and DELETE on {statement.Table} until it finishes")]
            : [];
}
