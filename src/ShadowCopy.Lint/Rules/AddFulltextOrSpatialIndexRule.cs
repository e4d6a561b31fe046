namespace ShadowCopy.Lint.Rules;

internal sealed class AddFulltextOrSpatialIndexRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "add-fulltext-or-spatial-index", LintSeverity.Warning, "Adding a FULLTEXT or SPATIAL index",
        "LOCK=SHARED: writes blocked while the index builds; the first FULLTEXT index also rebuilds the table", TableEffect.Rewrite,
        "Build it on a shadow table with shadowcopy alter, or add the FTS_DOC_ID column beforehand and build during a quiet window.",
        MySqlFamily);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        if (statement.Kind == StatementKind.CreateIndex && !context.IsNew(statement) && (statement.Tokens.Word(1, "FULLTEXT") || statement.Tokens.Word(1, "SPATIAL")))
        {
            return [new RuleHit(statement.First, $"{statement.Tokens.Text(1)?.ToUpperInvariant()} index builds block writes to {statement.Table}")];
        }

        return ExistingTableClauses(statement, context, AlterAction.AddIndex)
            .Where(c => c.Constraint is ConstraintKind.Fulltext or ConstraintKind.Spatial)
            .Select(c => new RuleHit(c.First, $"{c.Constraint.ToString().ToUpperInvariant()} index builds block writes to {statement.Table}"));
    }
}
