namespace ShadowCopy.Lint.Rules;

internal sealed class DropDatabaseRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "drop-database", LintSeverity.Error, "Dropping a database or schema",
        "exclusive lock on the database / every table in the schema", TableEffect.None,
        "Never drop a database or schema from a migration; do it by hand after a backup, once no application connects to it.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        statement.Kind == StatementKind.DropDatabase
            ? [new RuleHit(statement.First, "DROP DATABASE/SCHEMA deletes every table in it")]
            : [];
}
