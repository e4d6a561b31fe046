namespace ShadowCopy.Lint.Rules;

internal sealed class AddUniqueConstraintRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "add-unique-constraint", LintSeverity.Warning, "Adding a UNIQUE constraint that builds its index under lock",
        "ACCESS EXCLUSIVE while the index builds (PostgreSQL) / INPLACE, fails on duplicates (MySQL, MariaDB)", TableEffect.Scan,
        "PostgreSQL: CREATE UNIQUE INDEX CONCURRENTLY idx ON t (c); then ALTER TABLE t ADD CONSTRAINT c_key UNIQUE USING INDEX idx. MySQL/MariaDB: check for duplicates first (SELECT c, COUNT(*) … HAVING COUNT(*) > 1) and add it with ALGORITHM=INPLACE, LOCK=NONE.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        // MySQL/MariaDB CREATE UNIQUE INDEX is the same operation as ADD UNIQUE (PostgreSQL's is covered by create-index-non-concurrent).
        if (!context.Target.IsPostgres && statement.Kind == StatementKind.CreateIndex && statement.Tokens.Word(1, "UNIQUE") && !context.IsNew(statement))
        {
            yield return new RuleHit(statement.First, "the unique index build fails if existing rows hold duplicates (data-dependent change)");
        }

        foreach (var clause in ExistingTableClauses(statement, context, AlterAction.AddConstraint, AlterAction.AddColumn))
        {
            var unique = clause.Constraint == ConstraintKind.Unique || clause.Column is { Unique: true };
            if (!unique || clause.UsingIndex)
            {
                continue;
            }

            yield return new RuleHit(clause.First, context.Target.IsPostgres
                ? "the unique index is built while the table is locked against reads and writes"
                : "the unique index build fails if existing rows hold duplicates (data-dependent change)");
        }
    }
}
