namespace ShadowCopy.Lint.Rules;

internal sealed class TransactionNestingRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "transaction-nesting", LintSeverity.Warning, "BEGIN inside an open transaction",
        "none", TableEffect.None,
        "Use one BEGIN … COMMIT per file (or none if your migration runner wraps files in a transaction). PostgreSQL ignores the inner BEGIN with a warning; MySQL and MariaDB implicitly COMMIT the open transaction.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        statement.Kind == StatementKind.Begin && context.InTransaction
            ? [new RuleHit(statement.First, context.Target.IsPostgres ? "a transaction is already open; this BEGIN does nothing and the next COMMIT ends the outer transaction early" : "START TRANSACTION commits the open transaction implicitly")]
            : [];
}
