using ShadowCopy.Core.Sql;

namespace ShadowCopy.Lint.Rules;

/// <summary>
/// What a statement does to the migration as a whole, for the rules that judge the file rather
/// than one statement (expand and contract together, data with schema). Tables created anywhere in
/// the file are new: unseen by running code, so dropping or filling them breaks nothing.
/// </summary>
internal static class MigrationShape
{
    /// <summary>Tables the file creates (CREATE TABLE), wherever in the file.</summary>
    public static HashSet<string> CreatedTables(IReadOnlyList<LintStatement> statements) =>
        statements.Where(s => s.Kind == StatementKind.CreateTable && s.Table is not null).Select(s => s.Table!).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The tokens where the statement adds something running code will start to use: ADD COLUMN, CREATE TABLE.</summary>
    public static IEnumerable<SqlToken> Expansions(LintStatement statement) => statement.Kind switch
    {
        StatementKind.CreateTable => [statement.First],
        StatementKind.AlterTable => statement.Clauses.Where(c => c.Action == AlterAction.AddColumn).Select(c => c.First),
        _ => [],
    };

    /// <summary>DROP COLUMN and DROP TABLE of tables that existed before the file: what running code may still use.</summary>
    public static IEnumerable<(SqlToken At, string What)> Contractions(LintStatement statement, HashSet<string> created) => statement switch
    {
        { Table: { } t } when created.Contains(t) => [],
        { Kind: StatementKind.DropTable } => [(statement.First, $"table {statement.Table}")],
        { Kind: StatementKind.AlterTable } => statement.Clauses.Where(c => c.Action == AlterAction.DropColumn).Select(c => (c.First, $"column {statement.Table}.{c.ColumnName}")),
        _ => [],
    };

    /// <summary>A statement that changes a schema object (not rows): ALTER/CREATE/DROP/RENAME TABLE, CREATE/DROP INDEX, types and domains.</summary>
    public static bool ChangesSchema(LintStatement statement) => statement.Kind is StatementKind.AlterTable or StatementKind.CreateTable or StatementKind.DropTable
        or StatementKind.RenameTable or StatementKind.CreateIndex or StatementKind.DropIndex or StatementKind.AlterType or StatementKind.CreateDomain or StatementKind.AlterDomain;

    /// <summary>For a statement that changes rows (UPDATE, DELETE, INSERT, REPLACE, MERGE, TRUNCATE): true and its table (null when unreadable).</summary>
    public static bool ChangesRows(LintStatement statement, LintDialect dialect, out string? table)
    {
        var t = statement.Tokens;
        table = statement.Table;
        switch (statement.Kind)
        {
            case StatementKind.Update or StatementKind.Delete:
                return true;
            case StatementKind.Truncate:
                table = NameAt(t, t.Word(1, "TABLE") ? 2 : 1, dialect);
                return true;
            case StatementKind.Other when t.Word(0, "INSERT") || t.Word(0, "REPLACE") || t.Word(0, "MERGE"):
                var into = t.Find(0, "INTO");
                table = into < 0 ? null : NameAt(t, into + 1, dialect);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The last part of a dotted name at <paramref name="i"/> (what the parser records as a statement's table).</summary>
    private static string? NameAt(Tokens t, int i, LintDialect dialect)
    {
        i = t.Word(i, "ONLY") ? i + 1 : i;
        string? last = null;
        while (i < t.Count && t[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
        {
            last = Tokens.Identifier(t[i], dialect);
            if (!t.Punct(i + 1, "."))
            {
                break;
            }

            i += 2;
        }

        return last;
    }
}
