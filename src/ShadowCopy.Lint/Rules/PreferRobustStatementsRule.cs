namespace ShadowCopy.Lint.Rules;

internal sealed class PreferRobustStatementsRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "prefer-robust-stmts", LintSeverity.Info, "CONCURRENTLY without IF [NOT] EXISTS",
        "none", TableEffect.None,
        "Write CREATE INDEX CONCURRENTLY IF NOT EXISTS / DROP INDEX CONCURRENTLY IF EXISTS, so a migration retried after a failure does not stop on the half-built (INVALID) index it left.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        if (!statement.Concurrently || context.InTransaction)
        {
            return [];
        }

        var create = statement.Kind == StatementKind.CreateIndex && !statement.Tokens.Has("IF", "NOT", "EXISTS");
        var drop = statement.Kind == StatementKind.DropIndex && !statement.Tokens.Has("IF", "EXISTS");
        return create || drop
            ? [new RuleHit(statement.First, "a concurrent index build that fails leaves an INVALID index behind; the retry then fails on the name")]
            : [];
    }
}
