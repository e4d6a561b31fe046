namespace ShadowCopy.Lint.Rules;

internal sealed class ConvertCharsetRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "convert-charset", LintSeverity.Error, "CONVERT TO CHARACTER SET",
        "ALGORITHM=COPY, writes blocked for the whole copy", TableEffect.Rewrite,
        "Run the conversion online with shadowcopy alter (or gh-ost); change the table default only (DEFAULT CHARSET=…) if existing columns may keep theirs.",
        MySqlFamily);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        ExistingTableClauses(statement, context, AlterAction.ConvertCharset)
            .Select(c => new RuleHit(c.First, $"converting every text column re-encodes {statement.Table} with ALGORITHM=COPY"));
}
