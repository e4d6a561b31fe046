namespace ShadowCopy.Lint.Rules;

internal sealed class DropColumnRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "drop-column", LintSeverity.Warning, "Dropping a column",
        "ACCESS EXCLUSIVE, brief (PostgreSQL) / see drop-column-not-instant (MySQL, MariaDB)", TableEffect.None,
        "Contract in two deploys: first ship code that neither reads nor writes the column (ORMs: mark it ignored), then drop it in a later migration.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        ExistingTableClauses(statement, context, AlterAction.DropColumn)
            .Select(c => new RuleHit(c.First, $"dropping column {c.ColumnName} breaks running code that still selects or inserts it"));
}
