namespace ShadowCopy.Lint.Rules;

internal sealed class AddForeignKeyRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "add-foreign-key", LintSeverity.Warning, "Adding a foreign key that checks existing rows under lock",
        "SHARE ROW EXCLUSIVE on both tables while every row is checked (PostgreSQL) / ALGORITHM=COPY, writes blocked, unless foreign_key_checks=0 (MySQL, MariaDB)", TableEffect.Scan,
        "PostgreSQL: ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then ALTER TABLE … VALIDATE CONSTRAINT … in a separate transaction (only SHARE UPDATE EXCLUSIVE). MySQL/MariaDB: SET foreign_key_checks = 0 for the ALTER so it runs INPLACE, after checking orphans with a query.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        foreach (var clause in ExistingTableClauses(statement, context, AlterAction.AddConstraint, AlterAction.AddColumn))
        {
            var isForeignKey = clause.Constraint == ConstraintKind.ForeignKey || clause.Column is { References: true };
            if (!isForeignKey || (context.Target.IsPostgres && clause.NotValid))
            {
                continue;
            }

            yield return new RuleHit(clause.First, context.Target.IsPostgres
                ? "the foreign key is validated against every existing row while both tables are locked against writes"
                : "adding a foreign key with foreign_key_checks=1 copies the table (ALGORITHM=COPY) and blocks writes");
        }
    }
}
