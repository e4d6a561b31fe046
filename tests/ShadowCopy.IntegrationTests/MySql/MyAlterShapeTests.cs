using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>Issue 14, point 5: ALTERs the engine used to get wrong, in both capture modes, with writes during the copy.</summary>
[Collection("mysql")]
public sealed class MyAlterShapeTests
{
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task AutoIncrementKeyZero_isKeptByCopyAndApply(CaptureMode capture)
    {
        var name = UniqueName("zero");
        var table = $"{Q(Database)}.{Q(name)}";
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL)");
            await ExecAsync($"SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',NO_AUTO_VALUE_ON_ZERO'); INSERT INTO {table} VALUES (0, 100); INSERT INTO {table} (v) SELECT seq FROM seq_1_to_999");
            var options = MyAlterHarness.Options(name, "ADD COLUMN c INT NULL");

            var result = await MyAlterHarness.RunAsync(options, capture, WriteDuringCopy($"UPDATE {table} SET v = 101 WHERE id = 0"));

            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal("101", await ScalarAsync($"SELECT v FROM {table} WHERE id = 0"));
            Assert.Equal("1000", await ScalarAsync($"SELECT COUNT(*) FROM {table}"));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task AutoIncrementTableOption_reachesTheNewTable(CaptureMode capture)
    {
        var name = UniqueName("aiopt");
        var table = $"{Q(Database)}.{Q(name)}";
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL)");
            await ExecAsync($"INSERT INTO {table} (v) SELECT seq FROM seq_1_to_100");

            var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, "ADD COLUMN c INT NULL, AUTO_INCREMENT = 5000"), capture);

            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            await ExecAsync($"INSERT INTO {table} (v) VALUES (1)");
            Assert.Equal("5000", await ScalarAsync($"SELECT MAX(id) FROM {table}"));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task DropAndAddTheSameColumn_isANewColumn_oldValuesNotCarried(CaptureMode capture)
    {
        var name = UniqueName("readd");
        var table = $"{Q(Database)}.{Q(name)}";
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT PRIMARY KEY, c1 INT NULL)");
            await ExecAsync($"INSERT INTO {table} SELECT seq, IF(seq % 3 = 0, NULL, seq) FROM seq_1_to_1000");

            var result = await MyAlterHarness.RunAsync(
                MyAlterHarness.Options(name, "DROP COLUMN c1, ADD COLUMN c1 INT NOT NULL DEFAULT 47"),
                capture,
                WriteDuringCopy($"UPDATE {table} SET c1 = 5 WHERE id = 10"));

            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal("1000", await ScalarAsync($"SELECT COUNT(*) FROM {table} WHERE c1 = 47"));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task WidenedPrimaryKey_containingTheOldOne_isCopiedAndMatches(CaptureMode capture)
    {
        var name = UniqueName("widen");
        var table = $"{Q(Database)}.{Q(name)}";
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT PRIMARY KEY, i INT NOT NULL, v VARCHAR(20) NULL)");
            await ExecAsync($"INSERT INTO {table} SELECT seq, seq % 7, CONCAT('v', seq) FROM seq_1_to_3000");

            // Changes the new key's second column during the copy: the old row of the key must not survive.
            var result = await MyAlterHarness.RunAsync(
                MyAlterHarness.Options(name, "DROP PRIMARY KEY, ADD PRIMARY KEY (id, i)"),
                capture,
                WriteDuringCopy($"UPDATE {table} SET i = i + 100 WHERE id % 10 = 0"));

            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal("3000", await ScalarAsync($"SELECT COUNT(DISTINCT id) FROM {table}"));
            Assert.Equal("3000", await ScalarAsync($"SELECT COUNT(*) FROM {table}"));
            Assert.Equal("300", await ScalarAsync($"SELECT COUNT(*) FROM {table} WHERE i >= 100"));
            Assert.Equal("PRIMARY", await ScalarAsync($"SELECT GROUP_CONCAT(DISTINCT INDEX_NAME) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)}"));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>Runs <paramref name="sql"/> once, right after the first chunk was copied.</summary>
    /// <summary>
    /// Found by the differential test (seed 412723646): a converted BINARY column hashed beside text
    /// whose character set changes. The conversion function's result is only coercible, so CONCAT_WS
    /// turned its 0xFF bytes into '?' on the original's side and every chunk "differed" three times.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task ConvertedBinaryBesideACharsetChange_verifies(CaptureMode capture)
    {
        var name = UniqueName("binmix");
        var table = $"{Q(Database)}.{Q(name)}";
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT PRIMARY KEY, b BINARY(4) NULL, t VARCHAR(40) CHARACTER SET utf8mb3 NULL)");
            await ExecAsync($"INSERT INTO {table} SELECT seq, IF(seq % 5 = 0, NULL, UNHEX(IF(seq % 2 = 0, 'FFFFFFFF', 'C3A90000'))), IF(seq % 7 = 0, NULL, CONCAT('café ', seq)) FROM seq_1_to_1000");
            var expected = await ScalarAsync($"SELECT SUM(CRC32(CONCAT_WS('#', id, HEX(b), t, ISNULL(b), ISNULL(t)))) FROM {table}");

            var result = await MyAlterHarness.RunAsync(
                MyAlterHarness.Options(name, "MODIFY b VARBINARY(4) NULL, MODIFY t VARCHAR(40) CHARACTER SET latin1 NULL"),
                capture,
                WriteDuringCopy($"UPDATE {table} SET b = UNHEX('FFFF0000') WHERE id = 1"));

            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            await ExecAsync($"UPDATE {table} SET b = UNHEX('C3A90000') WHERE id = 1");
            Assert.Equal(expected, await ScalarAsync($"SELECT SUM(CRC32(CONCAT_WS('#', id, HEX(b), CONVERT(t USING utf8mb3), ISNULL(b), ISNULL(t)))) FROM {table}"));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    private static Infrastructure.RecordingStatusSink WriteDuringCopy(string sql)
    {
        var done = 0;
        return new Infrastructure.RecordingStatusSink
        {
            OnSnapshot = status =>
            {
                if (status.Phase == Phase.Copying && status.RowsCopied > 0 && Interlocked.Exchange(ref done, 1) == 0)
                {
                    ExecAsync(sql).GetAwaiter().GetResult();
                }
            },
        };
    }
}
