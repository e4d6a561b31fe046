namespace ShadowCopy.Lint.Rules;

internal sealed class AddColumnNotInstantRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "add-column-not-instant", LintSeverity.Warning, "ADD COLUMN that rebuilds the table on this server version",
        "INPLACE, LOCK=NONE: writes continue, but the whole table is rebuilt (I/O, replica lag, metadata lock at the end)", TableEffect.Rewrite,
        "Add the column as the last one (no FIRST/AFTER) with ALGORITHM=INSTANT where the version allows it; otherwise run it online with shadowcopy alter.",
        MySqlFamily);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        var target = context.Target;
        foreach (var clause in ExistingTableClauses(statement, context, AlterAction.AddColumn))
        {
            if (clause.Column is not { } column || column.GeneratedStored || column.AutoIncrement || InstantDdl.AddColumnAnywhere(target))
            {
                continue;
            }

            if (column.Position is not null && InstantDdl.AddColumnLast(target))
            {
                yield return new RuleHit(clause.First, $"{column.Position} makes ADD COLUMN {column.Name} rebuild the table; instant ADD COLUMN at any position needs {InstantDdl.AddAnywhereSince(target)}");
            }
            else if (!InstantDdl.AddColumnLast(target))
            {
                yield return new RuleHit(clause.First, $"ADD COLUMN {column.Name} rebuilds the table on {target.Dialect} {target.Version}; instant ADD COLUMN needs {InstantDdl.AddLastSince(target)}");
            }
        }
    }
}
