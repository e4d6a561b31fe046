namespace ShadowCopy.Lint.Rules;

internal sealed class AddStoredGeneratedColumnRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "add-stored-generated-column", LintSeverity.Error, "Adding a STORED generated column",
        "ACCESS EXCLUSIVE for the rewrite (PostgreSQL) / ALGORITHM=COPY, writes blocked (MySQL, MariaDB)", TableEffect.Rewrite,
        "Add a plain nullable column, fill it with a trigger or the application plus a batched backfill; or (MySQL/MariaDB) add a VIRTUAL generated column, which is instant, and index it if needed.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        ExistingTableClauses(statement, context, AlterAction.AddColumn)
            .Where(c => c.Column is { GeneratedStored: true })
            .Select(c => new RuleHit(c.First, $"a STORED generated column is computed for every existing row: {statement.Table} is rewritten while writes are blocked"));
}
