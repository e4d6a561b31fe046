namespace ShadowCopy.Lint.Rules;

internal sealed class PreferTimestamptzRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "prefer-timestamptz", LintSeverity.Warning, "timestamp without time zone",
        "none", TableEffect.None,
        "Use timestamptz (timestamp with time zone): it stores an absolute instant; the session time zone only affects display.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        DefinedColumns(statement)
            .Where(c => (c.Column.TypeText.StartsWith("timestamp", StringComparison.Ordinal) && !c.Column.TypeText.StartsWith("timestamptz", StringComparison.Ordinal) && !c.Column.TypeText.Contains("with time zone", StringComparison.Ordinal))
                || c.Column.TypeText.Contains("without time zone", StringComparison.Ordinal))
            .Select(c => new RuleHit(c.At, $"{c.Name} is {c.Column.TypeText}: values lose their time zone and comparisons depend on the session setting"));
}
