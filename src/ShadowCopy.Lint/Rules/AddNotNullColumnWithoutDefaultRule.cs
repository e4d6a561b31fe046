namespace ShadowCopy.Lint.Rules;

internal sealed class AddNotNullColumnWithoutDefaultRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "add-not-null-column-without-default", LintSeverity.Error, "Adding a NOT NULL column without a default",
        "ACCESS EXCLUSIVE (PostgreSQL) / as ADD COLUMN (MySQL, MariaDB)", TableEffect.None,
        "Add the column nullable (or with a constant DEFAULT), backfill it in batches, then enforce NOT NULL (PostgreSQL: CHECK (c IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, SET NOT NULL, drop the CHECK).",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        foreach (var clause in ExistingTableClauses(statement, context, AlterAction.AddColumn))
        {
            if (clause.Column is { NotNull: true, HasDefault: false, SelfFilling: false } column)
            {
                yield return new RuleHit(clause.First, context.Target.IsPostgres
                    ? $"ADD COLUMN {column.Name} NOT NULL without DEFAULT fails as soon as the table has a row"
                    : $"ADD COLUMN {column.Name} NOT NULL without DEFAULT fills existing rows with the type's implicit zero value (or fails in strict mode)");
            }
        }
    }
}
