namespace ShadowCopy.Lint.Rules;

internal sealed class BanCharTypeRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "ban-char-type", LintSeverity.Info, "char(n) column",
        "none", TableEffect.None,
        "Use text or varchar; char(n) pads with spaces, is not faster, and compares surprisingly.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        DefinedColumns(statement)
            .Where(c => c.Column.BaseType is "char" or "bpchar" || (c.Column.BaseType == "character" && !c.Column.TypeText.StartsWith("character varying", StringComparison.Ordinal)))
            .Select(c => new RuleHit(c.At, $"{c.Name} is {c.Column.TypeText}: blank-padded fixed-length text"));
}
