using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>Cut-over under a blocker, ordering inside applied batches, and re-copy of a mismatching chunk.</summary>
[Collection("mysql")]
public sealed class MyCutOverAndApplyTests
{
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task CutOver_blocked_by_a_long_transaction_gives_up_and_the_original_keeps_serving(CaptureMode capture)
    {
        var name = UniqueName("block");
        var table = $"{Q(Database)}.{Q(name)}";
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT PRIMARY KEY, v INT)");
            await ExecAsync($"INSERT INTO {table} VALUES (1, 1), (2, 2), (3, 3)");
            var before = await SnapshotAsync(name);

            // An open transaction that read the table holds its metadata lock until it ends.
            await using var blocker = await OpenAsync();
            var sink = new RecordingStatusSink
            {
                OnEnter = phase =>
                {
                    if (phase == Phase.CuttingOver)
                    {
                        blocker.ExecuteAsync("START TRANSACTION").GetAwaiter().GetResult();
                        blocker.QueryAsync($"SELECT * FROM {table}").GetAwaiter().GetResult();
                    }
                    else if (phase == Phase.CleaningUp)
                    {
                        // Dropping the triggers needs the same lock: the blocker ends, as long transactions do.
                        blocker.ExecuteAsync("ROLLBACK").GetAwaiter().GetResult();
                    }
                },
            };
            var options = MyAlterHarness.Options(name, "ADD COLUMN c INT") with { CutOverLockTimeout = TimeSpan.FromSeconds(1), CutOverAttempts = 2 };
            var result = await MyAlterHarness.RunAsync(options, capture, sink);

            Assert.True(result.ExitCode == ExitCodes.CutOverFailed, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal(2, result.CutOverAttempts);
            Assert.Equal(before, await SnapshotAsync(name));
            await ExecAsync($"INSERT INTO {table} VALUES (4, 4)");
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task Apply_unique_value_swap_and_chained_key_updates_in_one_transaction_converge(CaptureMode capture)
    {
        var name = UniqueName("swap");
        var table = $"{Q(Database)}.{Q(name)}";
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT PRIMARY KEY, u VARCHAR(10) NOT NULL, UNIQUE KEY uq_u (u))");
            await ExecAsync($"INSERT INTO {table} SELECT seq, CONCAT('u', seq) FROM seq_1_to_3000");
            var sink = new RecordingStatusSink
            {
                OnEnter = phase =>
                {
                    if (phase != Phase.Copying)
                    {
                        return;
                    }

                    Task.Run(async () =>
                    {
                        await using var writer = await OpenAsync();
                        await writer.ExecuteAsync("START TRANSACTION");
                        // Swap u between rows 10 and 20 through a temporary value, then shift keys 2999 → 5000, 3000 → 2999, 5000 → 3000.
                        await writer.ExecuteAsync($"UPDATE {table} SET u = 'tmp' WHERE id = 10");
                        await writer.ExecuteAsync($"UPDATE {table} SET u = 'u10' WHERE id = 20");
                        await writer.ExecuteAsync($"UPDATE {table} SET u = 'u20' WHERE id = 10");
                        await writer.ExecuteAsync($"UPDATE {table} SET id = 5000 WHERE id = 2999");
                        await writer.ExecuteAsync($"UPDATE {table} SET id = 2999 WHERE id = 3000");
                        await writer.ExecuteAsync($"UPDATE {table} SET id = 3000 WHERE id = 5000");
                        await writer.ExecuteAsync("COMMIT");
                    }).GetAwaiter().GetResult();
                },
            };

            var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, "ADD COLUMN c INT"), capture, sink);
            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal(["10 u20", "20 u10", "2999 u3000", "3000 u2999"], await ColumnAsync($"SELECT CONCAT(id, ' ', u) FROM {table} WHERE id IN (10, 20, 2999, 3000) ORDER BY id"));
            Assert.Equal("3000", await ScalarAsync($"SELECT COUNT(*) FROM {table}"));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Verify_mismatching_chunk_is_recopied_and_the_run_succeeds()
    {
        var name = UniqueName("recopy");
        var table = $"{Q(Database)}.{Q(name)}";
        var shadow = $"{Q(Database)}.{Q($"_{name}_new")}";
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT PRIMARY KEY, v INT)");
            await ExecAsync($"INSERT INTO {table} SELECT seq, seq FROM seq_1_to_3000");
            var sink = new RecordingStatusSink
            {
                OnEnter = phase =>
                {
                    if (phase == Phase.Verifying)
                    {
                        // Damage the shadow behind the tool's back: only verification can notice.
                        ExecAsync($"UPDATE {shadow} SET v = -v WHERE id IN (7, 2500)").GetAwaiter().GetResult();
                    }
                },
            };
            var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, "ADD COLUMN c INT"), CaptureMode.Binlog, sink);
            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.True(result.ChunksRecopied >= 2, $"re-copied {result.ChunksRecopied}");
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM {table} WHERE v <> id"));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>
    /// The RENAME's connection dies while it waits behind the lock, before the go token exists: the
    /// RENAME never ran (it needs the token), the attempt is given up with the original serving, and
    /// the next attempt swaps. Both capture modes swap this way (docs/cut-over.md).
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task CutOver_renameConnectionKilledBeforeTheGoToken_isRetriedAndSwapsOnce(CaptureMode capture)
    {
        var name = UniqueName("ambig");
        var table = $"{Q(Database)}.{Q(name)}";
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT PRIMARY KEY, v INT)");
            await ExecAsync($"INSERT INTO {table} SELECT seq, seq FROM seq_1_to_2000");
            var kills = 0;
            var options = MyAlterHarness.Options(name, "ADD COLUMN c INT") with { CutOverLockTimeout = TimeSpan.FromSeconds(3), CutOverAttempts = 4 };
            await using var backend = new MySqlAlterBackend(Settings(), options, capture, NullLogger.Instance)
            {
                BeforeGoTokenForTests = async renamer =>
                {
                    if (Interlocked.Increment(ref kills) == 1)
                    {
                        await using var killer = await OpenAsync();
                        await killer.ExecuteAsync($"KILL CONNECTION {renamer}");
                    }
                },
            };

            var result = await new AlterRunner(backend, options, NullStatusSink.Instance, NullLogger.Instance).RunAsync(CancellationToken.None);

            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.True(result.CutOverAttempts >= 2, $"attempts {result.CutOverAttempts}");
            Assert.Equal("2000", await ScalarAsync($"SELECT COUNT(c IS NULL) FROM {table}"));
            Assert.Equal(new[] { $"_{name}_old", name }.Order(StringComparer.Ordinal), (await ObjectsAsync(name)).Order(StringComparer.Ordinal));
        }
        finally
        {
            await DropAsync(name);
        }
    }
}
