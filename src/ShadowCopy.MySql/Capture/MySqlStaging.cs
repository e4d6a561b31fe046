using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.Model;

namespace ShadowCopy.MySql.Capture;

/// <summary>
/// The binlog applier's two session-private staging tables (docs/adr/0019-one-conversion-path-and-delta-verification.md).
/// Row images go into the first exactly as the original holds them (its column types, a lax sql_mode
/// so every stored value is accepted unchanged); the copy's own <c>INSERT IGNORE … SELECT</c>, under
/// the copy's sql_mode, converts them into the second, typed like the shadow; from there they replace
/// the touched keys in the shadow. The server therefore converts a captured change exactly as it
/// converts a copied row; the tool never re-implements a type conversion (an ENUM image is its
/// index, a SET image its bitmask: typed as the original, the server reads them as the members).
/// </summary>
internal sealed class MySqlStaging
{
    private readonly MySqlStatements _sql;
    private readonly IReadOnlyList<MyColumnMap> _copied;
    private readonly IReadOnlyList<IReadOnlyList<MyColumnMap>> _enforcedUniques;

    public MySqlStaging(MySqlStatements sql, MyTable source, MyTable shadow)
    {
        _sql = sql;
        _copied = sql.Copied;
        var table = sql.Names.Shadow;
        Source = MySqlStatements.Q(sql.Schema, HelperObjectNames.Derive(table, "stage_o", 64));
        Converted = MySqlStatements.Q(sql.Schema, HelperObjectNames.Derive(table, "stage_n", 64));
        _enforcedUniques = EnforcedUniques(source, shadow, sql);
    }

    /// <summary>Staging table typed like the original's copied columns.</summary>
    public string Source { get; }

    /// <summary>Staging table typed like the shadow's copied columns.</summary>
    public string Converted { get; }

    /// <summary>The sql_mode images are staged under: no strictness, zero dates allowed, 0 kept in AUTO_INCREMENT columns.</summary>
    public const string LaxSqlMode = "NO_AUTO_VALUE_ON_ZERO";

    public string CreateSource() =>
        $"CREATE TEMPORARY TABLE IF NOT EXISTS {Source} ({string.Join(", ", _copied.Select(c => ColumnDefinition(c.Source, nullable: true)))})";

    /// <summary>The shadow's nullability is kept, so a NULL meets NOT NULL here as it would in the copy (warning 1048, a lossy change).</summary>
    public string CreateConverted() =>
        $"CREATE TEMPORARY TABLE IF NOT EXISTS {Converted} ({string.Join(", ", _copied.Select(c => ColumnDefinition(c.Shadow, c.Shadow.IsNullable)))})";

    public IEnumerable<string> Clear() => [$"DELETE FROM {Source}", $"DELETE FROM {Converted}"];

    public string InsertImages(IEnumerable<string> rows) =>
        $"INSERT INTO {Source} ({_sql.SourceColumnNames}) VALUES {string.Join(", ", rows)}";

    /// <summary>The copy's statement (<see cref="MySqlStatements.CopyRange"/>) with the staged images in place of the original.</summary>
    public string Convert() =>
        $"INSERT IGNORE INTO {Converted} ({_sql.ShadowColumns}) SELECT {_sql.SourceColumns} FROM {Source}";

    /// <summary>
    /// Removes shadow rows that hold an incoming row's value of a unique key the original enforces
    /// too (same columns, same types): such a holder is stale, since the original is unique at the
    /// batch's end, and its own later change puts it back. A new unique key is never cleared this way:
    /// a collision there is a real violation and fails the run.
    /// </summary>
    public IEnumerable<string> DeleteUniqueHolders() =>
        _enforcedUniques.Select(unique =>
            $"DELETE n FROM {_sql.Shadow} n JOIN {Converted} g ON {string.Join(" AND ", unique.Select(c => $"n.{MySqlStatements.Q(c.ShadowName)} = g.{MySqlStatements.Q(c.ShadowName)}"))}");

    public string InsertIntoShadow() =>
        $"INSERT INTO {_sql.Shadow} ({_sql.ShadowColumns}) SELECT {_sql.ShadowColumns} FROM {Converted}";

    private static string ColumnDefinition(MyColumn column, bool nullable) =>
        $"{MySqlStatements.Q(column.Name)} {column.ColumnType}{(column.Collation is null ? string.Empty : " COLLATE " + column.Collation)} {(nullable ? "NULL" : "NOT NULL")}";

    /// <summary>
    /// The shadow's unique keys, other than the row key, whose columns are copied unchanged (same type
    /// and collation) and over which the original enforces uniqueness too: a collision there during a
    /// replay can only be a stale row, never a violation.
    /// </summary>
    internal static List<IReadOnlyList<MyColumnMap>> EnforcedUniques(MyTable source, MyTable shadow, MySqlStatements sql)
    {
        var result = new List<IReadOnlyList<MyColumnMap>>();
        var keyNames = sql.Key.Select(k => k.ShadowName).ToList();
        foreach (var index in shadow.Indexes.Where(i => i.IsUnique && !i.HasPrefix))
        {
            if (index.Columns.Count == keyNames.Count && index.Columns.Zip(keyNames).All(p => string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            var columns = index.Columns.Select(c => sql.Copied.FirstOrDefault(m => string.Equals(m.ShadowName, c, StringComparison.OrdinalIgnoreCase))).ToList();
            if (columns.Any(c => c is null || !SameType(c.Source, c.Shadow)))
            {
                continue;
            }

            var sourceNames = columns.Select(c => c!.SourceName).ToList();
            if (source.Indexes.Any(i => i.IsUnique && !i.HasPrefix && i.Columns.All(c => sourceNames.Contains(c, StringComparer.OrdinalIgnoreCase))))
            {
                result.Add(columns!);
            }
        }

        return result;
    }

    private static bool SameType(MyColumn a, MyColumn b) =>
        string.Equals(a.ColumnType, b.ColumnType, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Collation, b.Collation, StringComparison.OrdinalIgnoreCase);
}
