using System.Diagnostics;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql.Copy;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Model;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// ADR 0017: in binlog mode with one copy session the chunks read without row locks, and the
/// applier's deletes are settled after each chunk through tombstones.
/// </summary>
[Collection("mysql")]
public sealed class MyLockFreeCopyTests
{
    /// <summary>
    /// A writer holds a row lock inside the table for the whole copy. The lock-free copy reads past
    /// it and finishes; a locking copy would wait on that row (innodb_lock_wait_timeout, 50 s). The
    /// writer's change, committed only after the copy, still reaches the new table.
    /// </summary>
    [Fact]
    public async Task The_copy_does_not_wait_for_a_writer_holding_a_row_lock_and_its_change_arrives()
    {
        var name = UniqueName("lockfree");
        var table = $"{Q(Database)}.{Q(name)}";
        await ExecAsync($"CREATE TABLE {table} (id INT NOT NULL PRIMARY KEY, n INT NOT NULL, KEY n_1 (n)) ENGINE=InnoDB");
        await ExecAsync($"INSERT INTO {table} SELECT seq, seq FROM seq_1_to_20000");
        await using var writer = await OpenAsync();
        var flag = Path.Combine(Path.GetTempPath(), $"sc-lockfree-{Guid.NewGuid():N}");
        using var stop = new CancellationTokenSource();
        Task<AlterResult>? run = null;
        try
        {
            await writer.ExecuteAsync("START TRANSACTION");
            await writer.ExecuteAsync($"UPDATE {table} SET n = -1 WHERE id = 10000");
            await writer.ExecuteAsync($"DELETE FROM {table} WHERE id = 15000");

            var sink = new RecordingStatusSink();
            var copied = new TaskCompletionSource();
            sink.OnEnter = phase =>
            {
                if (phase is Phase.CatchingUp or Phase.Verifying)
                {
                    copied.TrySetResult();
                }
            };
            // The copy starts held by a flag file, to look at the shadow while it is being filled.
            await File.WriteAllTextAsync(flag, "hold");
            var options = MyAlterHarness.Options(name, "MODIFY n BIGINT NOT NULL") with
            {
                MaxRowsPerSecond = null, CutOverLockTimeout = TimeSpan.FromSeconds(1), CutOverAttempts = 60, ThrottleFlagFile = flag,
            };
            run = MyAlterHarness.RunAsync(options, CaptureMode.Binlog, sink, cancellationToken: stop.Token);
            var held = Stopwatch.StartNew();
            while (!sink.Statuses.Any(s => s.Phase == Phase.Copying && s.ThrottleReason?.Contains(flag, StringComparison.Ordinal) == true) && !run.IsCompleted && held.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(20);
            }

            // ADR 0018: the plain index is not in the shadow while it is copied, only after.
            var shadowIndexes = $"SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(HelperObjectNames.For(name, 64).Shadow)}";
            Assert.Equal("1", await ScalarAsync(shadowIndexes)); // PRIMARY only
            File.Delete(flag);

            var first = await Task.WhenAny(copied.Task, run, Task.Delay(TimeSpan.FromSeconds(30)));
            Assert.True(first == copied.Task, first == run ? $"the run ended early: {(await run).Message}" : "the copy did not get past the locked rows within 30 s");

            // Verification needs a point where no writer is mid-transaction: it waits for this one.
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            await writer.ExecuteAsync("COMMIT");
            var result = await run;
            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal("-1", await ScalarAsync($"SELECT n FROM {table} WHERE id = 10000"));
            Assert.Null(await ScalarAsync($"SELECT n FROM {table} WHERE id = 15000"));
            Assert.Equal("19999", await ScalarAsync($"SELECT COUNT(*) FROM {table}"));
            Assert.Equal("bigint(20)", await ScalarAsync($"SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 'n'"));
            // The plain index was built after the copy and is back.
            Assert.Equal("n_1", await ScalarAsync($"SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND INDEX_NAME = 'n_1' LIMIT 1"));
        }
        finally
        {
            // On failure: release the writer's locks and stop the run before dropping the tables.
            File.Delete(flag);
            await writer.ExecuteAsync("ROLLBACK");
            await stop.CancelAsync();
            if (run is not null)
            {
                await run;
            }

            await DropAsync(name);
        }
    }

    /// <summary>
    /// The settling step itself, on the real server: a shadow row whose key the applier deleted is
    /// removed once the original no longer has it, only inside the chunk's range, after waiting
    /// for a writer that still holds the row; a tombstone whose row exists again keeps the row.
    /// </summary>
    [Fact]
    public async Task Settling_tombstones_removes_only_rows_the_original_no_longer_has_and_waits_for_writers()
    {
        var name = UniqueName("tomb");
        var names = HelperObjectNames.For(name, 64);
        var source = $"{Q(Database)}.{Q(name)}";
        var shadow = $"{Q(Database)}.{Q(names.Shadow)}";
        await ExecAsync($"CREATE TABLE {source} (id INT NOT NULL PRIMARY KEY, v VARCHAR(10) NOT NULL) ENGINE=InnoDB");
        await ExecAsync($"CREATE TABLE {shadow} LIKE {source}");
        await ExecAsync($"INSERT INTO {source} SELECT seq, CONCAT('v', seq) FROM seq_1_to_10");
        await ExecAsync($"INSERT INTO {shadow} SELECT * FROM {source}");
        await ExecAsync($"DELETE FROM {source} WHERE id IN (3, 5)");
        await using var session = await MySqlSession.OpenAsync(Settings(), new SqlTranscript(), CancellationToken.None);
        await using var writer = await OpenAsync();
        try
        {
            var table = await MySqlInspector.ReadAsync(session, Database, name, CancellationToken.None);
            var sql = new MySqlStatements(Database, name, names, MyMapping.Build(table, await MySqlInspector.ReadAsync(session, Database, names.Shadow, CancellationToken.None), new Dictionary<string, string>()), "PRIMARY");
            await session.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", CancellationToken.None);
            await session.ExecuteAsync(sql.CreateTombstones(), CancellationToken.None);
            await session.ExecuteAsync(sql.RecordTombstones([["3"], ["5"], ["7"], ["9"]]), CancellationToken.None);

            // A writer deletes row 7 and has not committed yet.
            await writer.ExecuteAsync("START TRANSACTION");
            await writer.ExecuteAsync($"DELETE FROM {source} WHERE id = 7");

            // Chunk (0, 4]: row 3 goes, 5 (outside) stays, its tombstone too.
            await SettleAsync(session, sql, null, ["4"]);
            Assert.Equal(["1", "2", "4", "5", "6", "7", "8", "9", "10"], await ColumnAsync($"SELECT id FROM {shadow} ORDER BY id"));

            // Chunk (4, 10]: waits for the writer of row 7, then removes 5 and 7; 9 still exists in the original.
            var settle = SettleAsync(session, sql, ["4"], ["10"]);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.False(settle.IsCompleted, "settling did not wait for the writer holding row 7");
            await writer.ExecuteAsync("COMMIT");
            await settle;
            Assert.Equal(["1", "2", "4", "6", "8", "9", "10"], await ColumnAsync($"SELECT id FROM {shadow} ORDER BY id"));
            var left = await session.QueryAsync($"SELECT COUNT(*) FROM {sql.Tombstones}", CancellationToken.None);
            Assert.Equal(0, left.Rows[0].GetInt64(0));
        }
        finally
        {
            await ExecAsync($"DROP TABLE IF EXISTS {shadow}");
            await DropAsync(name);
        }
    }

    private static Task SettleAsync(MySqlSession session, MySqlStatements sql, string[]? lower, string[]? upper) =>
        MySqlChunkCopier.SettleTombstonesAsync(session, sql, lower, upper, CancellationToken.None);
}
