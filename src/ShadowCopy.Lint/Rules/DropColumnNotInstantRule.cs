namespace ShadowCopy.Lint.Rules;

internal sealed class DropColumnNotInstantRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "drop-column-not-instant", LintSeverity.Warning, "DROP COLUMN that rebuilds the table on this server version",
        "INPLACE, LOCK=NONE: writes continue, but the whole table is rebuilt", TableEffect.Rewrite,
        "Upgrade to MySQL 8.0.29+ / MariaDB 10.4+ for instant DROP COLUMN, or run the drop online with shadowcopy alter; either way deploy code that ignores the column first.",
        MySqlFamily);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        InstantDdl.DropColumn(context.Target)
            ? []
            : ExistingTableClauses(statement, context, AlterAction.DropColumn)
                .Select(c => new RuleHit(c.First, $"DROP COLUMN {c.ColumnName} rebuilds the table on {context.Target.Dialect} {context.Target.Version}; instant DROP COLUMN needs {InstantDdl.AddAnywhereSince(context.Target)}"));
}
