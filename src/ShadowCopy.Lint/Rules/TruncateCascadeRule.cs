namespace ShadowCopy.Lint.Rules;

internal sealed class TruncateCascadeRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "truncate-cascade", LintSeverity.Error, "TRUNCATE … CASCADE",
        "ACCESS EXCLUSIVE on every table reached through foreign keys", TableEffect.None,
        "Name every table to truncate explicitly, after checking which tables reference it.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        statement.Kind == StatementKind.Truncate && statement.Tokens.Has("CASCADE")
            ? [new RuleHit(statement.First, "CASCADE also empties every table that references this one, transitively")]
            : [];
}
