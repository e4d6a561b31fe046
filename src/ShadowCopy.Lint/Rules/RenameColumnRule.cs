namespace ShadowCopy.Lint.Rules;

internal sealed class RenameColumnRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "rename-column", LintSeverity.Warning, "Renaming a column",
        "ACCESS EXCLUSIVE, brief (PostgreSQL) / metadata lock (MySQL, MariaDB)", TableEffect.None,
        "Expand/contract: add the new column, write both, backfill the new one in batches, switch reads, stop writing the old one, then drop it.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        foreach (var clause in ExistingTableClauses(statement, context, AlterAction.RenameColumn, AlterAction.ChangeColumn))
        {
            if (clause.Action == AlterAction.ChangeColumn && (clause.Column is null || string.Equals(clause.Column.Name, clause.ColumnName, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            yield return new RuleHit(clause.First, $"renaming column {clause.ColumnName} breaks running code that still uses the old name");
        }
    }
}
