using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// A table under ALTER and its control twin (same columns, no AUTO_INCREMENT). Writers change both
/// in one transaction; afterwards the checksums over the original columns must be equal.
/// </summary>
internal sealed class MyTableLayout
{
    public MyTableLayout(string table)
    {
        Name = table;
        ControlName = table + "_ctl";
        Table = $"{Q(Database)}.{Q(table)}";
        Control = $"{Q(Database)}.{Q(ControlName)}";
    }

    public string Name { get; }

    public string ControlName { get; }

    public string Table { get; }

    public string Control { get; }

    public static string Columns(bool autoIncrement) => $"""
        id BIGINT NOT NULL {(autoIncrement ? "AUTO_INCREMENT" : string.Empty)},
        email VARCHAR(100) NULL,
        n INT NOT NULL,
        body TEXT NULL,
        amount DECIMAL(10,2) NULL,
        at DATETIME(6) NULL,
        status VARCHAR(20) CHARACTER SET latin1 NULL,
        label VARCHAR(30) NULL,
        PRIMARY KEY (id),
        UNIQUE KEY uq_email (email),
        KEY idx_n (n)
        """;

    public async Task CreateAsync(long rows)
    {
        await ExecAsync($"CREATE TABLE {Table} ({Columns(true)}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        await ExecAsync($"CREATE TABLE {Control} ({Columns(false)}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        // Seed with a recursive CTE: fast, and the same rows in both tables.
        var seed = $"""
            WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {rows})
            SELECT i, IF(i % 7 = 0, NULL, CONCAT('user', i, '@example.com')), i % 1000, IF(i % 5 = 0, NULL, REPEAT('b', i % 200)),
                   IF(i % 3 = 0, NULL, (i % 10000) / 100), IF(i % 4 = 0, NULL, TIMESTAMP('2024-01-01') + INTERVAL i SECOND), IF(i % 6 = 0, NULL, 'café'), CONCAT('L', i)
            FROM s
            """;
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync("SET SESSION max_recursive_iterations = 100000000");
        await connection.ExecuteAsync($"INSERT INTO {Table} (id, email, n, body, amount, at, status, label) {seed}");
        await connection.ExecuteAsync($"INSERT INTO {Control} SELECT id, email, n, body, amount, at, status, label FROM {Table}");
    }

    /// <summary>Order-independent checksum over the original columns (text compared as utf8mb4).</summary>
    public static string ChecksumSql(string table, string id = "id", string email = "email", string n = "n", string body = "body", string amount = "amount", string at = "at", string status = "status", string label = "label")
    {
        var row = $"CONCAT_WS('#', {id}, CONVERT({email} USING utf8mb4), {n}, CONVERT({body} USING utf8mb4), {amount}, {at}, CONVERT({status} USING utf8mb4), {label}, CONCAT(ISNULL({email}), ISNULL({body}), ISNULL({amount}), ISNULL({at}), ISNULL({status}), ISNULL({label})))";
        return $"SELECT CONCAT(COUNT(*), '/', COALESCE(SUM(CRC32({row})), 0), '/', COALESCE(BIT_XOR(CAST(CONV(LEFT(MD5({row}), 16), 16, 10) AS UNSIGNED)), 0)) FROM {table}";
    }

    /// <summary>Rows that differ between the table and the control (for failure messages).</summary>
    public async Task<string> DiffAsync()
    {
        var cols = new[] { "email", "n", "body", "amount", "at", "status" };
        var same = string.Join(" AND ", cols.Select(c => $"t.{c} <=> c.{c}"));
        var rows = await ColumnAsync($"""
            SELECT CONCAT('table ', t.id, ' ', COALESCE(t.email, 'NULL'), ' ', t.n, ' ', COALESCE(t.status, 'NULL'), ' / control ', COALESCE(c.id, 'missing'), ' ', COALESCE(c.n, '')) FROM {Table} t LEFT JOIN {Control} c ON c.id = t.id WHERE c.id IS NULL OR NOT ({same})
            UNION ALL
            SELECT CONCAT('control only ', c.id, ' ', c.n) FROM {Control} c LEFT JOIN {Table} t ON t.id = c.id WHERE t.id IS NULL
            LIMIT 20
            """);
        return string.Join("\n", rows);
    }
}
