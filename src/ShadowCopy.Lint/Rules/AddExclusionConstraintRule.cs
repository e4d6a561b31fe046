namespace ShadowCopy.Lint.Rules;

internal sealed class AddExclusionConstraintRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "add-exclusion-constraint", LintSeverity.Warning, "Adding an EXCLUDE constraint",
        "ACCESS EXCLUSIVE while the index builds and every row is checked", TableEffect.Scan,
        "There is no NOT VALID or USING INDEX form for EXCLUDE: add it while the table is small, or build the new shape online with shadowcopy alter.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        ExistingTableClauses(statement, context, AlterAction.AddConstraint)
            .Where(c => c.Constraint == ConstraintKind.Exclude)
            .Select(c => new RuleHit(c.First, $"the exclusion index is built and checked while {statement.Table} is locked against reads and writes"));
}
