namespace ShadowCopy.Lint.Rules;

internal sealed class AddSerialColumnRule : LintRule
{
    public override LintRuleInfo Info { get; } = Rule(
        "add-serial-column", LintSeverity.Error, "Adding a serial or identity column to an existing table",
        "ACCESS EXCLUSIVE for the whole rewrite", TableEffect.Rewrite,
        "Add a nullable bigint column, create the sequence and SET DEFAULT nextval(...) for new rows, backfill existing rows in batches, then make it NOT NULL safely (see set-not-null) and attach the sequence with ALTER SEQUENCE … OWNED BY.",
        PostgresOnly);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context) =>
        ExistingTableClauses(statement, context, AlterAction.AddColumn)
            .Where(c => c.Column is { } column && (column.IsSerial || column.Identity))
            .Select(c => new RuleHit(c.First, $"every existing row needs a sequence value: {statement.Table} is rewritten under ACCESS EXCLUSIVE"));
}
