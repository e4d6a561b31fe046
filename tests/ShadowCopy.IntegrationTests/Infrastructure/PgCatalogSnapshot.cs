using System.Text;
using Npgsql;

namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>
/// A textual description of everything in a schema that a run could touch: relations with their
/// columns, indexes, constraints, triggers, comments and ACLs, functions, sequences (with their
/// positions) and row checksums; plus replication slots and publications server-wide. Two equal
/// snapshots mean the run left the database exactly as it found it.
/// </summary>
internal static class PgCatalogSnapshot
{
    private static readonly string[] Queries =
    [
        """
        SELECT c.relname, c.relkind, coalesce(obj_description(c.oid, 'pg_class'), ''), coalesce(c.relacl::text, ''), pg_get_userbyid(c.relowner)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1
        """,
        """
        SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE n.nspname = $1 AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v') ORDER BY 1, 2
        """,
        "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY 1",
        """
        SELECT c.relname, con.conname, pg_get_constraintdef(con.oid), con.convalidated
        FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 ORDER BY 1, 2
        """,
        """
        SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND NOT t.tgisinternal ORDER BY 1, 2
        """,
        "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 ORDER BY 1",
        "SELECT slot_name FROM pg_replication_slots ORDER BY 1",
        "SELECT pubname FROM pg_publication ORDER BY 1",
    ];

    public static async Task<string> TakeAsync(string schema)
    {
        await using var connection = await PgServer.OpenAsync();
        var text = new StringBuilder();
        foreach (var sql in Queries)
        {
            await AppendAsync(connection, sql, schema, text);
        }

        // Row checksums of every table, and sequence positions.
        var tables = new List<(string Name, char Kind)>();
        await using (var command = new NpgsqlCommand("SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'S') ORDER BY 1", connection))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add((reader.GetString(0), reader.GetChar(1)));
            }
        }

        foreach (var (name, kind) in tables)
        {
            var qualified = $"{PgServer.Q(schema)}.{PgServer.Q(name)}";
            var sql = kind == 'S'
                ? $"SELECT last_value, is_called FROM {qualified}"
                : $"SELECT count(*), coalesce(sum(hashtextextended(t::text, 0)::numeric), 0) FROM {qualified} t";
            await AppendAsync(connection, sql, null, text.Append(name).Append(": "));
        }

        return text.ToString();
    }

    private static async Task AppendAsync(NpgsqlConnection connection, string sql, string? schema, StringBuilder text)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (schema is not null)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
        }

        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
            }

            text.AppendLine();
        }
    }
}
