namespace ShadowCopy.Lint.Rules;

internal sealed class TableRewriteOptionRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "table-rewrite-option", LintSeverity.Error, "SET LOGGED / SET UNLOGGED / SET TABLESPACE",
        "ACCESS EXCLUSIVE for the whole rewrite or copy", TableEffect.Rewrite,
        "Build the new table online (shadowcopy alter, pg_repack --tablespace) instead of rewriting in place.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        ExistingTableClauses(statement, context, AlterAction.SetLoggedOrTablespace)
            .Select(c => new RuleHit(c.First, $"SET {c.Value?.ToUpperInvariant()} rewrites or copies {statement.Table} while reads and writes are blocked"));
}
