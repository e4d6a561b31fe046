namespace ShadowCopy.Lint.Rules;

internal sealed class UnclosedTransactionRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "unclear-transaction-boundary", LintSeverity.Error, "BEGIN without COMMIT, or COMMIT without BEGIN",
        "every lock taken since BEGIN, held until the session ends", TableEffect.None,
        "Close every BEGIN with COMMIT in the same file, and do not COMMIT a transaction the file did not open (a migration runner's wrapping transaction would end early).",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        if (statement.Kind == StatementKind.Begin && !context.InTransaction
            && !context.Statements.Any(s => s.Index > statement.Index && s.Kind is StatementKind.Commit or StatementKind.Rollback))
        {
            return [new RuleHit(statement.First, "this transaction is never committed in the file: what runs after it, and its locks, last until the session ends")];
        }

        if (statement.Kind is StatementKind.Commit or StatementKind.Rollback && !context.InTransaction)
        {
            return [new RuleHit(statement.First, $"{statement.First.Text.ToUpperInvariant()} without a BEGIN in this file ends a transaction the file did not open")];
        }

        return [];
    }
}
