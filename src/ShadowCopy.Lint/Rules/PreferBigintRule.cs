namespace ShadowCopy.Lint.Rules;

internal sealed class PreferBigintRule : LintRule
{
    private static readonly HashSet<string> SmallIntegers = new(StringComparer.OrdinalIgnoreCase)
    {
        "int", "integer", "int4", "int2", "smallint", "mediumint", "tinyint", "serial", "serial4", "smallserial", "serial2",
    };

    public override LintRuleInfo Info { get; } = Rule(
        "prefer-bigint", LintSeverity.Warning, "A key or generated id column narrower than bigint",
        "none", TableEffect.None,
        "Declare ids as bigint (PostgreSQL: bigint GENERATED ALWAYS AS IDENTITY; MySQL: BIGINT UNSIGNED AUTO_INCREMENT). Widening later rewrites the table.",
        AllDialects);

    public override IEnumerable<RuleHit> Check(LintStatement statement, LintContext context)
    {
        var columns = statement.Kind == StatementKind.CreateTable
            ? statement.Columns
            : statement.Clauses.Where(c => c.Action == AlterAction.AddColumn && c.Column is not null).Select(c => c.Column!);
        foreach (var column in columns)
        {
            var generated = column.IsSerial || column.Identity || column.AutoIncrement || column.PrimaryKey;
            if (generated && SmallIntegers.Contains(column.BaseType))
            {
                yield return new RuleHit(column.NameToken, $"{column.Name} is {column.TypeText}: a 32-bit (or smaller) id runs out; changing it later means a full table rewrite");
            }
        }
    }
}
