namespace ShadowCopy.Lint.Rules;

internal sealed class DropPrimaryKeyRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "drop-primary-key", LintSeverity.Error, "DROP PRIMARY KEY",
        "ALGORITHM=COPY unless a new primary key is added in the same statement (then an INPLACE rebuild)", TableEffect.Rewrite,
        "Replace the key in one statement (DROP PRIMARY KEY, ADD PRIMARY KEY (…)) so InnoDB can rebuild INPLACE, or run it online with shadowcopy alter; a table without a primary key also breaks row-based replication performance.",
        MySqlFamily);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        var replaced = statement.Clauses.Any(c => c.Constraint == ConstraintKind.PrimaryKey && c.Action == AlterAction.AddConstraint);
        return ExistingTableClauses(statement, context, AlterAction.DropPrimaryKey)
            .Select(c => new RuleHit(c.First, replaced
                ? $"replacing the primary key rebuilds {statement.Table}"
                : $"dropping the primary key copies {statement.Table} (ALGORITHM=COPY) and leaves InnoDB a hidden row id", replaced ? LintSeverity.Warning : null));
    }
}
