namespace ShadowCopy.Lint.Rules;

internal sealed class AlgorithmCopyOrLockRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "algorithm-copy-or-lock", LintSeverity.Error, "ALGORITHM=COPY or LOCK=SHARED/EXCLUSIVE",
        "writes (SHARED) or everything (EXCLUSIVE, COPY) blocked for the whole operation", TableEffect.Rewrite,
        "Ask for ALGORITHM=INSTANT or ALGORITHM=INPLACE, LOCK=NONE so the server refuses instead of blocking; if it refuses, use shadowcopy alter.",
        MySqlFamily);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        ExistingTableClauses(statement, context, AlterAction.Algorithm, AlterAction.Lock)
            .Where(c => (c.Action == AlterAction.Algorithm && c.Value == "COPY") || (c.Action == AlterAction.Lock && c.Value is "SHARED" or "EXCLUSIVE"))
            .Select(c => new RuleHit(c.First, $"{(c.Action == AlterAction.Algorithm ? "ALGORITHM" : "LOCK")}={c.Value} blocks writes to {statement.Table} until the ALTER finishes"));
}
