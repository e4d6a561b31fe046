namespace ShadowCopy.Lint.Rules;

internal sealed class DropTableRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "drop-table", LintSeverity.Error, "Dropping a table",
        "ACCESS EXCLUSIVE (PostgreSQL) / exclusive metadata lock (MySQL, MariaDB)", TableEffect.None,
        "Deploy code that no longer reads or writes the table first; then rename it (ALTER TABLE t RENAME TO t_retired) and drop it in a later migration once nothing broke.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        statement.Kind == StatementKind.DropTable && !context.IsNew(statement)
            ? [new RuleHit(statement.First, $"DROP TABLE {statement.Table} deletes the data and breaks every query that still uses the table")]
            : [];
}
