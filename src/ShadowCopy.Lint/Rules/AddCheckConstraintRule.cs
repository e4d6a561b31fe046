namespace ShadowCopy.Lint.Rules;

internal sealed class AddCheckConstraintRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "add-check-constraint", LintSeverity.Warning, "Adding a CHECK constraint without NOT VALID",
        "ACCESS EXCLUSIVE while every row is checked", TableEffect.Scan,
        "ALTER TABLE t ADD CONSTRAINT c CHECK (…) NOT VALID; then, in a separate transaction, ALTER TABLE t VALIDATE CONSTRAINT c (SHARE UPDATE EXCLUSIVE: reads and writes continue).",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        ExistingTableClauses(statement, context, AlterAction.AddConstraint, AlterAction.AddColumn)
            .Where(c => (c.Constraint == ConstraintKind.Check && !c.NotValid) || (c.Action == AlterAction.AddColumn && c.Column is { Check: true }))
            .Select(c => new RuleHit(c.First, $"the CHECK is validated against every row of {statement.Table} while reads and writes are blocked"));
}
