namespace ShadowCopy.Lint.Rules;

internal sealed class DropNotNullRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "drop-not-null", LintSeverity.Info, "DROP NOT NULL",
        "ACCESS EXCLUSIVE, brief", TableEffect.None,
        "Make sure every reader handles NULL in this column before deploying the change; old code that assumes a value breaks on the first NULL.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        ExistingTableClauses(statement, context, AlterAction.DropNotNull)
            .Select(c => new RuleHit(c.First, $"{c.ColumnName} may now hold NULL; code that assumed a value breaks"));
}
