namespace ShadowCopy.Lint.Rules;

internal sealed class TableRebuildRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "table-rebuild", LintSeverity.Warning, "ENGINE=, FORCE, ROW_FORMAT=, KEY_BLOCK_SIZE= or OPTIMIZE TABLE",
        "INPLACE rebuild (ENGINE/FORCE/OPTIMIZE) or COPY (changing the engine)", TableEffect.Rewrite,
        "Rebuild online with shadowcopy alter (\"ENGINE=InnoDB\" as the change), and schedule it off-peak: the rebuild reads and writes the whole table and delays replicas.",
        MySqlFamily);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        if (statement.Kind == StatementKind.OptimizeTable)
        {
            return [new RuleHit(statement.First, "OPTIMIZE TABLE on InnoDB is a full rebuild (recreate + analyze)")];
        }

        return ExistingTableClauses(statement, context, AlterAction.Rebuild)
            .Select(c => new RuleHit(c.First, $"{c.Value} rebuilds {statement.Table}"));
    }
}
