using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>Reads a table's shape with SHOW statements, which also see temporary tables (the preflight rehearsal).</summary>
internal static class MySqlInspector
{
    public static async Task<MyTable> ReadAsync(MySqlSession session, string schema, string table, CancellationToken cancellationToken)
    {
        var qualified = MySqlEscaping.QuoteIdentifier(schema, table);
        var columns = new List<MyColumn>();
        var rows = await session.QueryAsync($"SHOW FULL COLUMNS FROM {qualified}", cancellationToken).ConfigureAwait(false);
        foreach (var row in rows.Rows)
        {
            var extra = row.GetString(6);
            columns.Add(new MyColumn(
                row.GetString(0),
                row.GetString(1),
                row.IsNull(2) ? null : row.GetString(2),
                row.GetString(3) == "YES",
                extra.Contains("GENERATED", StringComparison.OrdinalIgnoreCase) || extra.Contains("VIRTUAL", StringComparison.OrdinalIgnoreCase) || extra.Contains("PERSISTENT", StringComparison.OrdinalIgnoreCase) || extra.Contains("STORED", StringComparison.OrdinalIgnoreCase),
                extra.Contains("auto_increment", StringComparison.OrdinalIgnoreCase),
                row.IsNull(5) ? null : row.GetString(5)));
        }

        var indexRows = await session.QueryAsync($"SHOW INDEX FROM {qualified}", cancellationToken).ConfigureAwait(false);
        var nameOrdinal = indexRows.GetOrdinal("Key_name");
        var uniqueOrdinal = indexRows.GetOrdinal("Non_unique");
        var columnOrdinal = indexRows.GetOrdinal("Column_name");
        var prefixOrdinal = indexRows.GetOrdinal("Sub_part");
        var indexes = indexRows.Rows
            .GroupBy(r => r.GetString(nameOrdinal), StringComparer.Ordinal)
            .Select(g => new MyIndex(
                g.Key,
                g.First().GetInt64(uniqueOrdinal) == 0,
                g.Select(r => r.IsNull(columnOrdinal) ? string.Empty : r.GetString(columnOrdinal)).ToList(),
                g.Any(r => !r.IsNull(prefixOrdinal) || r.IsNull(columnOrdinal))))
            .ToList();
        return new MyTable(schema, table, columns, indexes);
    }

    /// <summary>Exact-name lookup; returns the names that differ only by letter case too.</summary>
    public static async Task<(bool Exists, IReadOnlyList<string> CaseVariants, long Rows, long Bytes, string Engine, bool Partitioned)> FindAsync(MySqlSession session, string schema, string table, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(
            $"SELECT TABLE_NAME, COALESCE(TABLE_ROWS, 0), COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0), COALESCE(ENGINE, ''), COALESCE(CREATE_OPTIONS, ''), TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = {session.Literal(schema)} AND LOWER(TABLE_NAME) = LOWER({session.Literal(table)})",
            cancellationToken).ConfigureAwait(false);
        var exact = rows.Rows.FirstOrDefault(r => r.GetString(0) == table);
        var variants = rows.Rows.Select(r => r.GetString(0)).Where(n => n != table).ToList();
        if (exact is null)
        {
            return (false, variants, 0, 0, string.Empty, false);
        }

        return (exact.GetString(5) == "BASE TABLE", variants, exact.GetInt64(1), exact.GetInt64(2), exact.GetString(3), exact.GetString(4).Contains("partitioned", StringComparison.OrdinalIgnoreCase));
    }
}
