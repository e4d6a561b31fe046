namespace ShadowCopy.Lint.Rules;

internal sealed class BackfillInDdlTransactionRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "backfill-in-ddl-transaction", LintSeverity.Error, "UPDATE/DELETE of a table altered earlier in the same transaction",
        "the ALTER's ACCESS EXCLUSIVE lock, held until COMMIT", TableEffect.Rewrite,
        "COMMIT the schema change first; backfill in separate, batched transactions (strong_migrations' \"backfilling data\" pattern).",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        statement.Kind is StatementKind.Update or StatementKind.Delete && statement.Table is { } table && context.LockedInTransaction.Contains(table)
            ? [new RuleHit(statement.First, $"{table} was altered earlier in this transaction: its ACCESS EXCLUSIVE lock blocks every read and write until this {statement.First.Text.ToUpperInvariant()} and the COMMIT finish")]
            : [];
}
