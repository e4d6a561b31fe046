using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Protocol;
using Xunit.Abstractions;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// Issue 16, point 4: every key type MariaDB can index and order, in both capture modes, with four
/// writers inserting, updating (the key too) and deleting during the copy, and the result compared by
/// checksum with a control table written in the same transactions. Key values come from SQL
/// expressions over an integer g, so the writers make new keys of any type the same way on both sides.
/// </summary>
[Collection("mysql")]
public sealed class MyKeyTypeTests
{
    private const string Labels = "'zeta', 'alpha', 'mid', 'Üml', 'it''s'";

    /// <summary>Key column definitions and, per column, an expression of g that makes its value.</summary>
    private static readonly Dictionary<string, (string[] Columns, string[] Values)> Keys = new()
    {
        ["binary"] = (["k BINARY(16)"], ["UNHEX(MD5(g))"]),
        // Different lengths, trailing zero bytes among them.
        ["varbinary"] = (["k VARBINARY(24)"], ["UNHEX(CONCAT(LEFT(MD5(g), g % 5 * 2), LPAD(HEX(g), 8, '0'), IF(g % 3 = 0, '0000', '')))"]),
        ["decimal"] = (["k DECIMAL(20,4)"], ["(g - 2000) * 1.37"]),
        ["datetime"] = (["k DATETIME(6)"], ["TIMESTAMP '1999-12-31 23:59:59.5' + INTERVAL g * 3600001 MICROSECOND"]),
        ["date"] = (["k DATE"], ["DATE '1000-01-01' + INTERVAL g * 37 DAY"]),
        ["time"] = (["k TIME(3)"], ["SEC_TO_TIME(g * 97.125 - 200000)"]),
        ["timestamp"] = (["k TIMESTAMP(3)"], ["FROM_UNIXTIME(1000000000 + g * 3601.5)"]),
        // Labels declared out of alphabetical order: the key's order is the declaration's.
        ["enum"] = ([$"e ENUM({Labels}) CHARACTER SET utf8mb4", "k INT"], [$"ELT(1 + g % 5, {Labels})", "g"]),
        // Case- and accent-insensitive, PAD SPACE: 'É1' sorts with 'e1', trailing spaces are ignored.
        ["varchar-general-ci"] = (["k VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"], ["CONCAT(ELT(1 + g % 4, 'É', 'e', 'Z', 'a'), IF(g % 2 = 0, UPPER(MD5(g)), MD5(g)), IF(g % 5 = 0, ' ', ''))"]),
        ["varchar-unicode-ci"] = (["k VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"], ["CONCAT(ELT(1 + g % 4, 'ß', 'ss', 'Ö', 'o'), g)"]),
        ["varchar-latin1-ci"] = (["k VARCHAR(40) CHARACTER SET latin1 COLLATE latin1_swedish_ci"], ["CONCAT(ELT(1 + g % 4, 'Å', 'a', 'Ü', 'y'), g)"]),
        ["char-bin"] = (["k CHAR(33) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"], ["CONCAT(IF(g % 2 = 0, 'B', 'a'), MD5(g))"]),
        ["composite"] = ([$"e ENUM({Labels})", "t VARCHAR(10) COLLATE utf8mb4_general_ci", "b BINARY(4)", "d DECIMAL(10,1)"], [$"ELT(1 + g % 5, {Labels})", "IF(g % 2 = 0, 'B', 'a')", "UNHEX(LPAD(HEX(g % 7), 8, '0'))", "g / 10"]),
    };

    private readonly ITestOutputHelper _output;

    public MyKeyTypeTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, CaptureMode> Cases()
    {
        var data = new TheoryData<string, CaptureMode>();
        foreach (var key in Keys.Keys)
        {
            data.Add(key, CaptureMode.Binlog);
            data.Add(key, CaptureMode.Trigger);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Alter_KeyType_WithWritersChangingKeys_MatchesControl(string keyType, CaptureMode capture)
    {
        var (columns, values) = Keys[keyType];
        var name = UniqueName("kt");
        try
        {
            await RunWithWritersAsync(name, name + "_ctl", columns, columns.Select(c => c.Split(' ')[0]).ToArray(), values, "ADD COLUMN note VARCHAR(20) DEFAULT 'x', MODIFY v BIGINT NOT NULL", capture, $"{keyType} {capture}", _output);
            Assert.Equal("bigint(20)", await ScalarAsync($"SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 'v'"));
            Assert.Equal(new[] { $"_{name}_old", name, name + "_ctl" }.Order(StringComparer.Ordinal), (await ObjectsAsync(name)).Order(StringComparer.Ordinal));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>
    /// Creates the table and its control (key columns as given, then seq and v), runs the ALTER while four
    /// writers insert, update (the key too) and delete in both tables, and asserts that the run succeeded,
    /// overlapped the writers, and left the table equal to the control byte for byte.
    /// </summary>
    internal static async Task<AlterResult> RunWithWritersAsync(string name, string controlName, string[] columns, string[] keyNames, string[] values, string alter, CaptureMode capture, string label, ITestOutputHelper output)
    {
        var table = $"{Q(Database)}.{Q(name)}";
        var control = $"{Q(Database)}.{Q(controlName)}";
        var keyList = string.Join(", ", keyNames.Select(Q));
        const int Rows = 3000;
        foreach (var t in new[] { table, control })
        {
            await ExecAsync($"CREATE TABLE {t} ({string.Join(", ", columns)}, seq INT NOT NULL, v INT NOT NULL, PRIMARY KEY ({keyList}), UNIQUE KEY uq_seq (seq)) ENGINE=InnoDB");
            await ExecAsync($"INSERT INTO {t} SELECT {string.Join(", ", values)}, g, g FROM (SELECT CAST(seq AS SIGNED) - 1 AS g FROM seq_1_to_{Rows}) x");
        }

        long operations = 0, deadlocks = 0;
        var errors = new List<string>();
        using var stop = new CancellationTokenSource();
        var assignments = string.Join(", ", keyNames.Select((k, i) => $"t.{Q(k)} = {values[i]}"));
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            // Each writer owns the rows whose seq % 4 is its number: writers never race each other,
            // so every difference between table and control is the tool's.
            var random = new Random(w);
            var owned = Rows / 4;
            await using var connection = await OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                var target = (random.Next(owned) * 4) + w;
                var fresh = (owned++ * 4) + w;
                var statement = random.Next(4) switch
                {
                    0 => $"UPDATE @T@ t SET v = v + 1 WHERE seq = {target}",
                    1 => $"UPDATE @T@ t JOIN (SELECT {fresh} AS g) x SET {assignments}, t.seq = x.g WHERE t.seq = {target}",
                    2 => $"DELETE FROM @T@ WHERE seq = {target}",
                    _ => $"INSERT INTO @T@ ({keyList}, seq, v) SELECT {string.Join(", ", values)}, g, 0 FROM (SELECT {fresh} AS g) x",
                };
                try
                {
                    await connection.ExecuteAsync("START TRANSACTION");
                    foreach (var t in new[] { table, control })
                    {
                        await connection.ExecuteAsync(statement.Replace("@T@", t, StringComparison.Ordinal));
                    }

                    await connection.ExecuteAsync("COMMIT");
                    Interlocked.Increment(ref operations);
                }
                catch (MySqlServerException error)
                {
                    await connection.ExecuteAsync("ROLLBACK");
                    if (error.ErrorCode == 1213)
                    {
                        // Rolled back in both tables alike (trigger capture's deadlocks are issue 16, point 3).
                        Interlocked.Increment(ref deadlocks);
                        continue;
                    }

                    lock (errors)
                    {
                        errors.Add(error.Message);
                    }
                }

                await Task.Delay(2);
            }
        })).ToList();

        var options = MyAlterHarness.Options(name, alter) with
        {
            MaxRowsPerSecond = 1500,
            InitialChunkSize = 100,
            MaxChunkSize = 300,
        };
        AlterResult result;
        try
        {
            result = await MyAlterHarness.RunAsync(options, capture);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        output.WriteLine($"{label}: exit {result.ExitCode}, {operations} writes, {deadlocks} deadlocks, {result.ChangesApplied} changes applied: {result.Message}");
        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.True(errors.Count == 0, string.Join(" | ", errors.Distinct()));
        Assert.True(result.ChangesApplied > 0, "no change was applied: the writers did not overlap the copy");
        // Byte-exact: HEX of every key column, so values equal only under a collation still differ.
        var row = $"CONCAT_WS('#', {string.Join(", ", keyNames.Select(k => $"HEX({Q(k)})"))}, seq, v)";
        var sum = $"SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(CRC32({row})), 0), ':', COALESCE(BIT_XOR(CRC32(CONCAT('x', {row}))), 0)) FROM ";
        var expected = await ScalarAsync(sum + control);
        var actual = await ScalarAsync(sum + table);
        Assert.True(expected == actual, $"table differs from control: {actual} vs {expected}\n{await DiffAsync(row, table, control)}");
        return result;
    }

    /// <summary>
    /// An ENUM key orders by declaration, but &lt; and &gt; against a label compare text: chunk bounds
    /// spelled as labels gave one chunk of every row whose label sorts below 'zeta' (2400 rows), and a
    /// full index scan per chunk. With fixed 100-row chunks the count shows the order the chunks follow.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task EnumKey_FixedChunkSize_ChunksFollowDeclarationOrder(CaptureMode capture)
    {
        var name = UniqueName("ke");
        var table = $"{Q(Database)}.{Q(name)}";
        try
        {
            await ExecAsync($"CREATE TABLE {table} (e ENUM({Labels}) NOT NULL, k INT NOT NULL, PRIMARY KEY (e, k)) ENGINE=InnoDB");
            await ExecAsync($"INSERT INTO {table} SELECT ELT(1 + seq % 5, {Labels}), seq FROM seq_1_to_3000");
            var options = MyAlterHarness.Options(name, "ADD COLUMN w INT NULL") with { InitialChunkSize = 100, MaxChunkSize = 100, MinChunkSize = 100, MaxRowsPerSecond = null };

            var result = await MyAlterHarness.RunAsync(options, capture);

            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal(3000, result.RowsCopied);
            Assert.Equal(31, result.ChunksVerified); // 30 full chunks and the open-ended last one
            Assert.Equal("3000", await ScalarAsync($"SELECT COUNT(*) FROM {table}"));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    private static async Task<string> DiffAsync(string row, string table, string control)
    {
        var missing = await ColumnAsync($"SELECT {row} FROM {control} c WHERE {row} NOT IN (SELECT {row} FROM {table}) LIMIT 5");
        var extra = await ColumnAsync($"SELECT {row} FROM {table} WHERE {row} NOT IN (SELECT {row} FROM {control}) LIMIT 5");
        return $"missing: {string.Join(" | ", missing)}; extra: {string.Join(" | ", extra)}";
    }
}
