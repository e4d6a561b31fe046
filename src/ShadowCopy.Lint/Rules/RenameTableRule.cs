namespace ShadowCopy.Lint.Rules;

internal sealed class RenameTableRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "rename-table", LintSeverity.Warning, "Renaming a table",
        "ACCESS EXCLUSIVE, brief (PostgreSQL) / metadata lock (MySQL, MariaDB)", TableEffect.None,
        "Create the new table, write both (or rename and leave an updatable view with the old name), backfill, switch reads, then drop the old name.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        if (context.IsNew(statement))
        {
            return [];
        }

        if (statement.Kind == StatementKind.RenameTable)
        {
            return [new RuleHit(statement.First, $"renaming table {statement.Table} breaks running code that still uses the old name")];
        }

        return ExistingTableClauses(statement, context, AlterAction.RenameTable)
            .Select(c => new RuleHit(c.First, $"renaming table {statement.Table} breaks running code that still uses the old name"));
    }
}
