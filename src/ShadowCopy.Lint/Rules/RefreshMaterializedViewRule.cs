namespace ShadowCopy.Lint.Rules;

internal sealed class RefreshMaterializedViewRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "refresh-matview-non-concurrent", LintSeverity.Warning, "REFRESH MATERIALIZED VIEW without CONCURRENTLY",
        "ACCESS EXCLUSIVE on the view for the whole refresh", TableEffect.Rewrite,
        "Give the view a unique index and use REFRESH MATERIALIZED VIEW CONCURRENTLY (readers keep the old contents meanwhile).",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        statement.Kind == StatementKind.RefreshMaterializedView && !statement.Concurrently
            ? [new RuleHit(statement.First, "readers of the view block until the refresh finishes")]
            : [];
}
