namespace ShadowCopy.Lint.Rules;

internal sealed class DataAndSchemaChangeRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "data-and-schema-change", LintSeverity.Error, "A data change in the same migration as a schema change",
        "the schema change's lock, when both share a transaction; row locks on every row changed", TableEffect.Rewrite,
        "Put the data change in its own migration after the schema change (or run it with `shadowcopy backfill`): each can then be retried, verified and rolled back on its own. Filling a table created in the same file is fine.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        if (!MigrationShape.ChangesRows(statement, context.Target.Dialect, out var table))
        {
            return [];
        }

        var created = MigrationShape.CreatedTables(context.Statements);
        if (table is not null && created.Contains(table))
        {
            return [];
        }

        var schema = context.Statements.FirstOrDefault(s => MigrationShape.ChangesSchema(s) && !(s.Kind == StatementKind.CreateTable && s.Table is { } t && t.Equals(table, StringComparison.OrdinalIgnoreCase)));
        return schema is null
            ? []
            : [new RuleHit(statement.First, $"{statement.First.Text.ToUpperInvariant()} changes rows of {table ?? "an existing table"} in a migration that also changes the schema ({Head(schema)}): one of them failing leaves the other half done")];
    }

    private static string Head(LintStatement statement) => statement.Tokens.Join(0, Math.Min(statement.Tokens.Count, statement.Table is null ? 3 : 4));
}
