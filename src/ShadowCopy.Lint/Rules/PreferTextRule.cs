namespace ShadowCopy.Lint.Rules;

internal sealed class PreferTextRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "prefer-text-over-varchar", LintSeverity.Info, "varchar(n) instead of text",
        "none", TableEffect.None,
        "Use text (or varchar without a length) with a CHECK (char_length(c) <= n) constraint; changing the CHECK later is NOT VALID + VALIDATE instead of a type change.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        DefinedColumns(statement)
            .Where(c => c.Column.TypeText.StartsWith("varchar(", StringComparison.Ordinal) || c.Column.TypeText.StartsWith("character varying(", StringComparison.Ordinal))
            .Select(c => new RuleHit(c.At, $"{c.Name} is {c.Column.TypeText}: shrinking the limit later needs a table rewrite"));
}
