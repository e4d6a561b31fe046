namespace ShadowCopy.Lint.Rules;

internal sealed class AddPrimaryKeyRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "add-primary-key", LintSeverity.Warning, "Adding a primary key to an existing table",
        "ACCESS EXCLUSIVE while the index builds and NOT NULL is checked (PostgreSQL) / table rebuild (MySQL, MariaDB)", TableEffect.Rewrite,
        "PostgreSQL: make the columns NOT NULL safely (see set-not-null), CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT pk PRIMARY KEY USING INDEX idx. MySQL/MariaDB: run it with shadowcopy alter (online copy) on large tables.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        foreach (var clause in ExistingTableClauses(statement, context, AlterAction.AddConstraint, AlterAction.AddColumn))
        {
            var primary = clause.Constraint == ConstraintKind.PrimaryKey || clause.Column is { PrimaryKey: true };
            if (!primary || clause.UsingIndex)
            {
                continue;
            }

            yield return new RuleHit(clause.First, context.Target.IsPostgres
                ? "the primary key index is built (and NOT NULL checked) while the table is locked against reads and writes"
                : "adding a primary key rebuilds the clustered index, i.e. the whole table");
        }
    }
}
