namespace ShadowCopy.Lint.Rules;

internal sealed class VacuumFullClusterRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "vacuum-full-or-cluster", LintSeverity.Error, "VACUUM FULL or CLUSTER",
        "ACCESS EXCLUSIVE for the whole rewrite", TableEffect.Rewrite,
        "Rewrite online instead: pg_repack, or shadowcopy alter with a no-op change; plain VACUUM needs no exclusive lock.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        (statement.Kind == StatementKind.Vacuum && statement.Tokens.Has("FULL")) || statement.Kind == StatementKind.Cluster
            ? [new RuleHit(statement.First, "the table is rewritten while reads and writes are blocked")]
            : [];
}
