namespace ShadowCopy.Lint.Rules;

internal sealed class AddAutoIncrementColumnRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "add-auto-increment-column", LintSeverity.Error, "Adding an AUTO_INCREMENT column to an existing table",
        "table rebuild with concurrent writes blocked (LOCK=SHARED at best)", TableEffect.Rewrite,
        "Run the change online with shadowcopy alter (or gh-ost / pt-online-schema-change), which copies into a shadow table while writes continue.",
        MySqlFamily);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        ExistingTableClauses(statement, context, AlterAction.AddColumn)
            .Where(c => c.Column is { AutoIncrement: true })
            .Select(c => new RuleHit(c.First, $"adding an AUTO_INCREMENT column rebuilds {statement.Table} and does not permit concurrent DML (MySQL online DDL, \"Column Operations\")"));
}
