using System.Globalization;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql.Protocol.Tests.Integration;

/// <summary>
/// Every type of the issue goes through the binlog and the text protocol; the decoded values must be equal.
/// binlog_row_metadata=FULL is switched on for the test (and restored) so signedness, charsets and ENUM/SET
/// names are in the TABLE_MAP.
/// </summary>
[Collection(BinlogCollection.Name)]
public sealed class BinlogIntegrationTests
{
    internal const string Columns = """
        id INT NOT NULL PRIMARY KEY,
        c_tiny TINYINT NULL, c_utiny TINYINT UNSIGNED NULL, c_small SMALLINT NULL, c_usmall SMALLINT UNSIGNED NULL,
        c_medium MEDIUMINT NULL, c_umedium MEDIUMINT UNSIGNED NULL, c_int INT NULL, c_uint INT UNSIGNED NULL,
        c_big BIGINT NULL, c_ubig BIGINT UNSIGNED NULL,
        c_dec DECIMAL(20,6) NULL, c_dec0 DECIMAL(10,0) NULL, c_float FLOAT NULL, c_double DOUBLE NULL,
        c_date DATE NULL, c_dt DATETIME NULL, c_dt3 DATETIME(3) NULL, c_dt6 DATETIME(6) NULL,
        c_ts TIMESTAMP(6) NULL DEFAULT NULL, c_ts0 TIMESTAMP NULL DEFAULT NULL,
        c_time TIME NULL, c_time2 TIME(2) NULL, c_time6 TIME(6) NULL, c_year YEAR NULL,
        c_char CHAR(10) CHARACTER SET utf8mb4 NULL, c_varchar VARCHAR(300) CHARACTER SET utf8mb4 NULL,
        c_varchar3 VARCHAR(20) CHARACTER SET utf8mb3 NULL, c_latin VARCHAR(20) CHARACTER SET latin1 NULL,
        c_text TEXT CHARACTER SET utf8mb4 NULL, c_longtext LONGTEXT CHARACTER SET utf8mb4 NULL,
        c_binary BINARY(4) NULL, c_varbinary VARBINARY(50) NULL, c_blob BLOB NULL, c_mediumblob MEDIUMBLOB NULL,
        c_bit BIT(10) NULL, c_bit64 BIT(64) NULL, c_enum ENUM('a','b','c d') NULL, c_set SET('x','y','z') NULL,
        c_json JSON NULL, c_geom GEOMETRY NULL
        """;

    internal static readonly string[] ColumnNames =
    [
        "id", "c_tiny", "c_utiny", "c_small", "c_usmall", "c_medium", "c_umedium", "c_int", "c_uint", "c_big", "c_ubig",
        "c_dec", "c_dec0", "c_float", "c_double", "c_date", "c_dt", "c_dt3", "c_dt6", "c_ts", "c_ts0",
        "c_time", "c_time2", "c_time6", "c_year", "c_char", "c_varchar", "c_varchar3", "c_latin", "c_text", "c_longtext",
        "c_binary", "c_varbinary", "c_blob", "c_mediumblob", "c_bit", "c_bit64", "c_enum", "c_set", "c_json", "c_geom",
    ];

    internal static readonly string[] Rows =
    [
        // minimum values and empty strings
        "1, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, -99999999999999.999999, -9999999999, -1.5, -1.7976931348623157E308, "
        + "'1000-01-01', '1000-01-01 00:00:00', '1000-01-01 00:00:00.001', '1000-01-01 00:00:00.000001', '1970-01-01 00:00:01.000000', '1970-01-01 00:00:01', "
        + "'-838:59:59', '-838:59:58.99', '-838:59:58.999999', 1901, '', '', '', '', '', '', X'00000000', '', '', '', b'0', 0, 'a', '', '[]', ST_GeomFromText('POINT(0 0)')",
        // maximum values, emoji, 100 KB blobs
        "2, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, 9223372036854775807, 18446744073709551615, 99999999999999.999999, 9999999999, 123456, 2.2250738585072014E-308, "
        + "'9999-12-31', '9999-12-31 23:59:59', '9999-12-31 23:59:59.999', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07.999999', '2038-01-19 03:14:07', "
        + "'838:59:59', '838:59:58.99', '838:59:58.999999', 2155, 'emoji 😀', CONCAT(REPEAT('é', 290), '😀😀'), 'é€', 'café', REPEAT('text ', 2000), REPEAT('😀', 25000), "
        + "X'FFFFFFFF', X'C3FF00', RANDOM_BYTES(1000), REPEAT(X'00FF7F80', 25600), b'1111111111', 18446744073709551615, 'c d', 'x,z', "
        + "'{\"a\": [1, 2.5, \"x\"], \"b\": null, \"c\": {\"d\": true}}', ST_GeomFromText('POLYGON((0 0,10 0,10 10,0 10,0 0))')",
        // all NULL
        "3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL",
        // zero dates, negative sub-second times, hostile strings
        "4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '0000-00-00', '0000-00-00 00:00:00', '0000-00-00 00:00:00.000', '0000-00-00 00:00:00.000000', '0000-00-00 00:00:00', '0000-00-00 00:00:00', "
        + "'00:00:00', '-00:00:00.50', '-00:00:01.500000', 0, 'a''b\\\\c', 'nul\\0tab\\t\\'\"', 'x', 'ÿ', '', '', X'61000000', X'00', X'00', X'', b'1', 1, 'b', 'y', 'null', NULL",
        // typical values with 6-digit fractions
        "5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0.000001, 1, 0.25, 3.141592653589793, '2024-02-29', '2024-02-29 12:34:56', '2024-02-29 12:34:56.789', '2024-02-29 12:34:56.123456', "
        + "'2024-02-29 12:34:56.654321', '2024-02-29 12:34:56', '-12:34:56', '100:00:00.01', '-12:34:56.000001', 2024, 'abc', 'abc', 'abc', 'abc', 'abc', 'abc', "
        + "'abcd', 'abc', 'abc', 'abc', b'101', 81985529216486895, 'a', 'x,y,z', '{\"k\": \"v\", \"n\": -12345678901234}', ST_GeomFromText('LINESTRING(1 1,2 2)')",
    ];

    /// <summary>
    /// FULL: signedness, charsets and ENUM/SET names come from the TABLE_MAP. NO_LOG (MariaDB's default): the
    /// consumer supplies them from information_schema with <see cref="BinlogColumn.ApplySchema"/>.
    /// </summary>
    [Theory]
    [InlineData("FULL")]
    [InlineData("NO_LOG")]
    public async Task ReadEventsAsync_every_type_edge_values_binlog_equals_what_the_server_returns(string rowMetadata)
    {
        var table = TestServer.UniqueName("bl_types");
        await using var connection = await TestServer.OpenAsync();
        var previousMetadata = await connection.ScalarAsync("SELECT @@global.binlog_row_metadata");
        try
        {
            await connection.ExecuteAsync($"SET GLOBAL binlog_row_metadata = '{rowMetadata}'");
            await connection.ExecuteAsync("SET SESSION sql_mode = 'NO_ENGINE_SUBSTITUTION', SESSION time_zone = '+00:00'");
            await connection.ExecuteAsync($"CREATE TABLE {MySqlEscaping.QuoteIdentifier(table)} ({Columns}) ENGINE=InnoDB");
            var start = await connection.CurrentPositionAsync();
            var quoted = MySqlEscaping.QuoteIdentifier(table);

            foreach (var row in Rows)
            {
                await connection.ExecuteAsync($"INSERT INTO {quoted} ({string.Join(", ", ColumnNames)}) VALUES ({row})");
            }

            var afterInsert = await SnapshotAsync(connection, quoted);
            await connection.ExecuteAsync($"UPDATE {quoted} SET c_int = c_int DIV 2, c_varchar = CONCAT(c_varchar, '!'), c_dt6 = '2001-02-03 04:05:06.000007', c_blob = NULL WHERE id IN (1, 2, 5)");
            await connection.ExecuteAsync($"UPDATE {quoted} SET c_tiny = 7, c_json = '{{\"now\": [true, false]}}', c_set = 'z', c_time6 = '-00:00:00.000001' WHERE id = 3");
            var afterUpdate = await SnapshotAsync(connection, quoted);
            await connection.ExecuteAsync($"DELETE FROM {quoted} WHERE id IN (4, 5)");

            var schema = rowMetadata == "FULL" ? null : await ReadSchemaAsync(connection, table);
            var changes = await ReadChangesAsync(start, table, schema);

            var inserts = changes.Where(c => c.Event is WriteRowsEvent).SelectMany(c => c.Event.Rows).ToList();
            var updates = changes.Where(c => c.Event is UpdateRowsEvent).SelectMany(c => c.Event.Rows).ToList();
            var deletes = changes.Where(c => c.Event is DeleteRowsEvent).SelectMany(c => c.Event.Rows).ToList();
            Assert.Equal(5, inserts.Count);
            Assert.Equal(4, updates.Count);
            Assert.Equal(2, deletes.Count);
            foreach (var change in inserts)
            {
                AssertRowEqual(afterInsert, change.After!);
            }

            foreach (var change in updates)
            {
                AssertRowEqual(afterInsert, change.Before!);
                AssertRowEqual(afterUpdate, change.After!);
            }

            foreach (var change in deletes)
            {
                AssertRowEqual(afterUpdate, change.Before!);
            }

            Assert.All(changes.Select(c => c.Event.Table), t => Assert.Equal(rowMetadata == "FULL" ? new[] { 0 } : [], t.PrimaryKey));
            Assert.True(changes.Count(c => c.EndsTransactionAfter) >= 4, "every autocommit statement ends with a transaction end");
        }
        finally
        {
            await connection.ExecuteAsync($"DROP TABLE IF EXISTS {MySqlEscaping.QuoteIdentifier(table)}");
            await connection.ExecuteAsync($"SET GLOBAL binlog_row_metadata = {MySqlEscaping.QuoteString(previousMetadata ?? "NO_LOG", false)}");
        }
    }

    private static async Task<List<(RowsEvent Event, bool EndsTransactionAfter)>> ReadChangesAsync(BinlogPosition start, string table, ColumnSchema[]? schema)
    {
        var client = new BinlogClient(TestServer.Settings, new BinlogOptions { StopAtEnd = true, ServerId = TestServer.NewReplicaServerId() });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var result = new List<(RowsEvent, bool)>();
        RowsEvent? pending = null;
        await foreach (var e in client.ReadEventsAsync(start, timeout.Token))
        {
            if (schema is not null && e is TableMapEvent map && map.TableName == table)
            {
                Assert.All(map.Columns, c => Assert.Null(c.Name));
                foreach (var column in map.Columns)
                {
                    var s = schema[column.Index];
                    column.ApplySchema(s.Name, s.IsUnsigned, s.CollationId, s.Values, s.Values);
                }
            }

            if (e is RowsEvent rows && rows.Table.TableName == table)
            {
                if (pending is not null)
                {
                    result.Add((pending, false));
                }

                pending = rows;
            }
            else if (e.IsTransactionEnd && pending is not null)
            {
                result.Add((pending, true));
                pending = null;
            }
        }

        Assert.Null(pending);
        return result;
    }

    /// <summary>What a provider reads from information_schema to decode row images without TABLE_MAP metadata.</summary>
    private static async Task<ColumnSchema[]> ReadSchemaAsync(TestSql connection, string table)
    {
        var rows = await connection.QueryAsync(
            "SELECT c.COLUMN_NAME, c.COLUMN_TYPE, c.DATA_TYPE, IFNULL(co.ID, IF(c.DATA_TYPE IN ('binary','varbinary','tinyblob','blob','mediumblob','longblob'), 63, NULL)) "
            + "FROM information_schema.COLUMNS c LEFT JOIN information_schema.COLLATIONS co ON co.COLLATION_NAME = c.COLLATION_NAME "
            + $"WHERE c.TABLE_SCHEMA = DATABASE() AND c.TABLE_NAME = {MySqlEscaping.QuoteString(table, false)} ORDER BY c.ORDINAL_POSITION");
        return rows.Select(r =>
        {
            var columnType = Convert.ToString(r[1], CultureInfo.InvariantCulture)!;
            var dataType = Convert.ToString(r[2], CultureInfo.InvariantCulture)!;
            var values = dataType is "enum" or "set" ? ParseValueList(columnType) : null;
            return new ColumnSchema(Convert.ToString(r[0], CultureInfo.InvariantCulture)!, columnType.Contains("unsigned", StringComparison.Ordinal), r[3] is null ? null : Convert.ToInt32(r[3], CultureInfo.InvariantCulture), values);
        }).ToArray();
    }

    /// <summary>enum('a','b''c') → [a, b'c].</summary>
    private static string[] ParseValueList(string columnType)
    {
        var values = new List<string>();
        var inner = columnType[(columnType.IndexOf('(', StringComparison.Ordinal) + 1)..columnType.LastIndexOf(')')];
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < inner.Length; i++)
        {
            var c = inner[i];
            if (c == '\'' && quoted && i + 1 < inner.Length && inner[i + 1] == '\'')
            {
                current.Append('\'');
                i++;
            }
            else if (c == '\'')
            {
                quoted = !quoted;
                if (!quoted)
                {
                    values.Add(current.ToString());
                    current.Clear();
                }
            }
            else if (quoted)
            {
                current.Append(c);
            }
        }

        return [.. values];
    }

    private sealed record ColumnSchema(string Name, bool IsUnsigned, int? CollationId, string[]? Values);

    private static async Task<Dictionary<int, object?[]>> SnapshotAsync(TestSql connection, string quotedTable)
    {
        var rows = await connection.QueryAsync($"SELECT {string.Join(", ", ColumnNames)} FROM {quotedTable} ORDER BY id");
        return rows.ToDictionary(r => Convert.ToInt32(r[0], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The driver's value in the stream decoder's terms: its date/time struct becomes ours, DECIMAL its exact
    /// text (compared with <see cref="BinlogRow.GetDecimalText"/>), integers of any width one 128-bit number.
    /// </summary>
    private static object? Normalize(object? value) => value switch
    {
        MySqlConnector.MySqlDateTime d => new MySqlDateTime(d.Year, d.Month, d.Day, d.Hour, d.Minute, d.Second, d.Microsecond),
        DateTime d => MySqlDateTime.FromDateTime(d),
        MySqlConnector.MySqlDecimal m => m.ToString(),
        sbyte or byte or short or ushort or int or uint or long => (Int128)Convert.ToInt64(value, CultureInfo.InvariantCulture),
        ulong u => (Int128)u,
        _ => value,
    };

    private static void AssertRowEqual(Dictionary<int, object?[]> expectedRows, BinlogRow actual)
    {
        var id = (int)actual.GetInt64(0);
        var expected = expectedRows[id];
        Assert.Equal(ColumnNames.Length, actual.FieldCount);
        for (var i = 0; i < ColumnNames.Length; i++)
        {
            Assert.True(actual.IsPresent(i));
            Assert.Equal(ColumnNames[i], actual.Table.Columns[i].Name);
            var want = Normalize(expected[i]);
            var got = actual.IsNull(i) ? null : want is string && actual.GetKind(i) == MySqlValueKind.Decimal ? actual.GetDecimalText(i) : Normalize(actual.GetValue(i));
            if (want is Int128 && got is byte[] bits)
            {
                // BIT(n): the driver reads a number, the stream keeps the big-endian bytes.
                got = bits.Aggregate(Int128.Zero, (n, b) => (n << 8) | b);
            }

            if (!Equals(want, got) && !(want is byte[] a && got is byte[] b && a.AsSpan().SequenceEqual(b)))
            {
                Assert.Fail(string.Create(CultureInfo.InvariantCulture, $"row {id} column {ColumnNames[i]}: server {Describe(want)}, binlog {Describe(got)}"));
            }
        }
    }

    private static string Describe(object? value) => value switch
    {
        null => "NULL",
        byte[] bytes => $"byte[{bytes.Length}] {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 16)))}",
        string s => $"string[{s.Length}] '{s[..Math.Min(s.Length, 40)]}'",
        _ => $"{value.GetType().Name} {value}",
    };
}
