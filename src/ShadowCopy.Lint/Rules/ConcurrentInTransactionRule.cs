namespace ShadowCopy.Lint.Rules;

internal sealed class ConcurrentInTransactionRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "concurrently-in-transaction", LintSeverity.Error, "CONCURRENTLY inside a transaction block",
        "none (the statement fails)", TableEffect.None,
        "Run CREATE/DROP INDEX CONCURRENTLY and REINDEX CONCURRENTLY on their own, outside BEGIN … COMMIT (disable your migration runner's transaction for this file).",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        context.InTransaction && statement.Concurrently && statement.Kind is StatementKind.CreateIndex or StatementKind.DropIndex or StatementKind.Reindex
            ? [new RuleHit(statement.First, "PostgreSQL refuses CONCURRENTLY inside a transaction block (ERROR 25001)")]
            : [];
}
