namespace ShadowCopy.Lint.Rules;

internal sealed class RequireAlgorithmLockRule : LintRule
{
    // Metadata-only on every supported version, or not recognised (then we do not guess).
    private static readonly AlterAction[] Harmless = [AlterAction.RenameIndex, AlterAction.Algorithm, AlterAction.Lock, AlterAction.SetDefault, AlterAction.DropDefault, AlterAction.DropIndex, AlterAction.Other];

    public override LintRuleInfo Info { get; } = Rule(
        "require-algorithm-lock", LintSeverity.Info, "ALTER TABLE without ALGORITHM= and LOCK=",
        "whatever the server picks: it silently falls back to COPY (writes blocked) when INSTANT/INPLACE is impossible", TableEffect.None,
        "Append ALGORITHM=INSTANT (or ALGORITHM=INPLACE, LOCK=NONE): the server then fails fast with an error instead of quietly copying the table under lock.",
        MySqlFamily);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        if (statement.Kind != StatementKind.AlterTable || context.IsNew(statement) || statement.Clauses.Count == 0
            || statement.Clauses.Any(c => c.Action is AlterAction.Algorithm or AlterAction.Lock)
            || statement.Clauses.All(c => Harmless.Contains(c.Action) || c.Action == AlterAction.RenameTable))
        {
            return [];
        }

        return [new RuleHit(statement.First, "no ALGORITHM/LOCK clause: if the change cannot run online the server copies the table under lock without telling you")];
    }
}
