namespace ShadowCopy.Core.Sql;

/// <summary>Tells schema-changing statements (for the audit journal) from data statements.</summary>
public static class SqlClassifier
{
    private static readonly string[] SchemaVerbs = ["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMENT", "LOCK", "UNLOCK", "GRANT", "REVOKE"];

    private static readonly string[] SchemaFunctions = ["pg_create_logical_replication_slot", "pg_drop_replication_slot"];

    /// <summary>True for DDL, explicit table locks and replication-slot management; false for reads and row changes.</summary>
    public static bool IsSchemaChange(string sql)
    {
        var span = SkipNoise(sql.AsSpan());
        var end = 0;
        while (end < span.Length && char.IsAsciiLetter(span[end]))
        {
            end++;
        }

        var verb = span[..end];
        foreach (var candidate in SchemaVerbs)
        {
            if (verb.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        foreach (var function in SchemaFunctions)
        {
            if (sql.Contains(function, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<char> SkipNoise(ReadOnlySpan<char> text)
    {
        while (true)
        {
            text = text.TrimStart();
            if (text.StartsWith("--"))
            {
                var newline = text.IndexOf('\n');
                text = newline < 0 ? [] : text[(newline + 1)..];
            }
            else if (text.StartsWith("/*"))
            {
                var close = text.IndexOf("*/");
                text = close < 0 ? [] : text[(close + 2)..];
            }
            else
            {
                return text;
            }
        }
    }
}
