namespace ShadowCopy.Lint.Rules;

internal sealed class UnbatchedBackfillRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "unbatched-backfill", LintSeverity.Warning, "UPDATE or DELETE of a whole table in one statement",
        "row locks on every row until commit", TableEffect.Rewrite,
        "Backfill outside the schema migration, in batches by key range (e.g. 1,000–10,000 rows per transaction) with a pause between batches, so locks stay short and replicas keep up.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        if (statement.Kind is not (StatementKind.Update or StatementKind.Delete) || context.IsNew(statement) || statement.Tokens.Has("WHERE") || statement.Tokens.Has("LIMIT"))
        {
            return [];
        }

        return [new RuleHit(statement.First, $"{statement.First.Text.ToUpperInvariant()} without WHERE touches every row of {statement.Table} in one transaction")];
    }
}
