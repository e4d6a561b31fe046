using System.Diagnostics;
using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;
using Xunit.Abstractions;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>The real executable SIGKILLed mid-copy under write load, then <c>--resume</c>: continues, and refuses when it must.</summary>
[Collection("mysql")]
public sealed class MyResumeTests(ITestOutputHelper output)
{
    private const string Alter = "ADD COLUMN note VARCHAR(20) NULL";

    [Theory]
    [InlineData("binlog", 1)]
    [InlineData("trigger", 1)]
    [InlineData("binlog", 3)]
    public async Task Alter_resume_after_SIGKILL_mid_copy_continues_from_the_checkpoint_and_matches_the_control(string capture, int threads)
    {
        const int Rows = 200_000;
        var name = UniqueName("resume");
        var layout = new MyTableLayout(name);
        try
        {
            await layout.CreateAsync(Rows);
            await using var load = new MyWriterLoad(layout, writers: 4);
            await load.StartAsync(Rows);
            await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));

            // Bounded chunks: three workers with the adaptive size (tens of thousands of rows each)
            // would copy the whole table between two checkpoints and leave nothing to kill.
            var threadArgs = new[] { "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--max-chunk-size", "2000" };
            var stored = await KillAfterCheckpointAsync(name, capture, 40_000, "copy_done = 0", ["--max-rows-per-second", "8000", .. threadArgs]);
            // Writers keep going while no tool runs: the binlog keeps their changes, the triggers apply them.
            var opsAtKill = load.Operations;
            await load.WaitForOperationsAsync(opsAtKill + 200, TimeSpan.FromSeconds(30));

            var (exit, result, all) = await RunCliAsync(Args(name, capture, ["--resume", "--max-rows-per-second", "60000", .. threadArgs]));
            Assert.True(exit == 0, all);
            var total = result.GetProperty("rows_copied").GetInt64();
            var afterResume = total - stored;
            output.WriteLine($"{capture}, {threads} thread(s): {Rows} rows; checkpoint at {stored} rows copied; the resumed run copied {afterResume} more ({total} in total); writer ops {load.Operations}, deadlocks {load.Deadlocks}");
            Assert.True(stored > 0);
            Assert.True(afterResume < Rows, $"the resumed run copied {afterResume} rows: it started over");

            await load.StopAsync();
            Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
            Assert.True(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)) == await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)), await layout.DiffAsync());
            Assert.Empty(Helpers(await ObjectsAsync(name)));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Theory]
    [InlineData("binlog")]
    [InlineData("trigger")]
    public async Task Alter_resume_after_SIGKILL_while_postponed_skips_the_copy_and_completes(string capture)
    {
        const int Rows = 30_000;
        var name = UniqueName("respost");
        var layout = new MyTableLayout(name);
        var flag = Path.Combine(Path.GetTempPath(), $"sc-my-postpone-{Guid.NewGuid():N}");
        try
        {
            await layout.CreateAsync(Rows);
            await using var load = new MyWriterLoad(layout, writers: 4);
            await load.StartAsync(Rows);
            await File.WriteAllTextAsync(flag, "wait");
            // Killed while waiting for the cut-over: the copy is complete and checkpointed as such.
            var stored = await KillAfterCheckpointAsync(name, capture, 1, "copy_done = 1 AND phase = 'Postponed'", ["--postpone-cut-over-flag-file", flag]);
            File.Delete(flag);
            await load.WaitForOperationsAsync(load.Operations + 200, TimeSpan.FromSeconds(30));

            var (exit, result, all) = await RunCliAsync(Args(name, capture, "--resume"));
            Assert.True(exit == 0, all);
            Assert.Equal(stored, result.GetProperty("rows_copied").GetInt64());
            output.WriteLine($"{capture}: killed while postponed with {stored} rows copied; the resumed run copied {result.GetProperty("rows_copied").GetInt64() - stored} and applied {result.GetProperty("changes_applied").GetInt64()} changes");

            await load.StopAsync();
            Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
            Assert.True(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)) == await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)), await layout.DiffAsync());
            Assert.Empty(Helpers(await ObjectsAsync(name)));
        }
        finally
        {
            File.Delete(flag);
            await DropAsync(name);
        }
    }

    /// <summary>
    /// Issue 13: SIGKILLed in its cleanup (the swap done; a reader's metadata lock holds the DROP of the
    /// run's table), the run is resumed: it finishes the cleanup, drops the old table (--drop-old-table)
    /// and exits 0 — no refusal, and no second ALTER.
    /// </summary>
    [Theory]
    [InlineData("binlog")]
    [InlineData("trigger")]
    public async Task Alter_resume_after_SIGKILL_in_the_cleanup_finishes_it_and_exits_0(string capture)
    {
        const int Rows = 20_000;
        var name = UniqueName("resdone");
        var layout = new MyTableLayout(name);
        try
        {
            await layout.CreateAsync(Rows);
            await using var load = new MyWriterLoad(layout, writers: 2);
            await load.StartAsync(Rows);
            await using var holder = await OpenAsync();
            var state = $"{Q(Database)}.{Q($"_{name}_state")}";
            var log = $"{Q(Database)}.{Q($"_{name}_log")}";
            using (var process = StartCli([.. Args(name, capture, "--drop-old-table", "--max-rows-per-second", "5000")]))
            {
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
                async Task WaitForAsync(string sql, string what)
                {
                    while (long.Parse(await ScalarAsync(sql) ?? "0", System.Globalization.CultureInfo.InvariantCulture) == 0)
                    {
                        if (process.HasExited || DateTime.UtcNow > deadline)
                        {
                            Assert.Fail($"{what}: {(process.HasExited ? await stdout + await stderr : "timeout")}");
                        }

                        await Task.Delay(50);
                    }
                }

                await WaitForAsync($"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME IN ({Lit($"_{name}_state")}, {Lit($"_{name}_log")}) HAVING COUNT(*) = 2", "no checkpoint");
                // A reader's transaction on the run's table: its rows keep changing, its DROP (in the cleanup) waits.
                await holder.ExecuteAsync("START TRANSACTION");
                await holder.QueryAsync($"SELECT COUNT(*) FROM {log}");
                await WaitForAsync($"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE {Lit($"DROP TABLE IF EXISTS %_{name}_log%")}", "the cleanup never reached the run's table");
                Assert.Equal("CleaningUp", await ScalarAsync($"SELECT phase FROM {state}"));
                process.Kill(entireProcessTree: true); // SIGKILL in the cleanup: the swap is done
                await process.WaitForExitAsync();
            }

            await holder.ExecuteAsync("COMMIT");
            await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(30));
            var (exit, result, all) = await RunCliAsync(Args(name, capture, "--drop-old-table", "--resume"));
            await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(30));
            await load.StopAsync();

            Assert.True(exit == 0, all);
            Assert.Contains("already complete", result.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
            Assert.True(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)) == await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)), await layout.DiffAsync());
            Assert.Equal(new[] { name, layout.ControlName }.Order(StringComparer.Ordinal), (await ObjectsAsync(name)).Order(StringComparer.Ordinal));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>
    /// Killed between the RENAME and the checkpoint that records it: the checkpoint still says
    /// "verifying", but the catalog shows the swap (shadow gone, the original under the old name). The
    /// resume recognises it, removes the capture and the run's tables, keeps the old table, exits 0.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task Alter_resume_after_a_kill_right_after_the_RENAME_recognises_the_swap_from_the_catalog(CaptureMode capture)
    {
        var name = UniqueName("resren");
        var layout = new MyTableLayout(name);
        try
        {
            await layout.CreateAsync(5_000);
            var options = MyAlterHarness.Options(name, Alter);
            await using (var backend = new MySqlAlterBackend(Settings(), options, capture, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
            {
                var rows = await BackendSteps.CopyEverythingAsync(backend, 2000);
                await backend.SaveCheckpointAsync(new ShadowCopy.Core.State.RunProgress { Phase = Phase.Verifying, RowsCopied = rows, CopyDone = true }, CancellationToken.None);
                var attempt = await backend.TryCutOverAsync(TimeSpan.FromSeconds(5), ShadowCopy.Core.Verification.CutOverVerification.None, CancellationToken.None);
                Assert.True(attempt.Succeeded, attempt.Error);
            }

            Assert.Equal("Verifying", await ScalarAsync($"SELECT phase FROM {Q(Database)}.{Q($"_{name}_state")}"));
            Assert.Contains($"_{name}_log", await ObjectsAsync(name));
            await ExecAsync($"UPDATE {layout.Table} SET n = n + 1 WHERE id % 7 = 0");
            await ExecAsync($"UPDATE {layout.Control} SET n = n + 1 WHERE id % 7 = 0");

            var sink = new RecordingStatusSink();
            var resumed = await MyAlterHarness.RunAsync(options with { Resume = true }, capture, sink);

            Assert.True(resumed.ExitCode == ExitCodes.Success, $"exit {resumed.ExitCode}: {resumed.Message}");
            Assert.Contains("already complete", resumed.Message, StringComparison.Ordinal);
            Assert.Contains(sink.Messages, m => m.Contains("resuming after the swap", StringComparison.Ordinal));
            Assert.Equal(new[] { $"_{name}_old", name, layout.ControlName }.Order(StringComparer.Ordinal), (await ObjectsAsync(name)).Order(StringComparer.Ordinal));
            Assert.True(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)) == await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)), await layout.DiffAsync());
            Assert.Equal("1", await ScalarAsync($"SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 'note'"));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>
    /// The table's own foreign key reaches the new table under a temporary name and takes its own name
    /// back after the swap; killed in between, the resume gives it back (from the catalog) and the old
    /// table keeps no key.
    /// </summary>
    [Fact]
    public async Task Alter_resume_after_the_swap_gives_the_own_foreign_key_its_name_back()
    {
        var name = UniqueName("resfk");
        var parent = name + "_p";
        try
        {
            await ExecAsync($"CREATE TABLE {Q(Database)}.{Q(parent)} (id INT PRIMARY KEY)");
            await ExecAsync($"INSERT INTO {Q(Database)}.{Q(parent)} SELECT seq FROM seq_1_to_10");
            await ExecAsync($"CREATE TABLE {Q(Database)}.{Q(name)} (id INT PRIMARY KEY, p INT NOT NULL, CONSTRAINT {Q(name + "_pfk")} FOREIGN KEY (p) REFERENCES {Q(parent)} (id))");
            await ExecAsync($"INSERT INTO {Q(Database)}.{Q(name)} SELECT seq, 1 + seq % 10 FROM seq_1_to_3000");
            var options = MyAlterHarness.Options(name, Alter);
            await using (var backend = new MySqlAlterBackend(Settings(), options, CaptureMode.Binlog, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
            {
                var rows = await BackendSteps.CopyEverythingAsync(backend, 1000);
                await backend.SaveCheckpointAsync(new ShadowCopy.Core.State.RunProgress { Phase = Phase.Verifying, RowsCopied = rows, CopyDone = true }, CancellationToken.None);
                var attempt = await backend.TryCutOverAsync(TimeSpan.FromSeconds(5), ShadowCopy.Core.Verification.CutOverVerification.None, CancellationToken.None);
                Assert.True(attempt.Succeeded, attempt.Error);
            }

            var keys = $"SELECT CONCAT(TABLE_NAME, ':', CONSTRAINT_NAME) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = {Lit(Database)} AND TABLE_NAME IN ({Lit(name)}, {Lit($"_{name}_old")}) ORDER BY 1";
            Assert.Contains($"{name}:_{name}_pfk_fk", await ColumnAsync(keys));

            var resumed = await MyAlterHarness.RunAsync(options with { Resume = true }, CaptureMode.Binlog);

            Assert.True(resumed.ExitCode == ExitCodes.Success, $"exit {resumed.ExitCode}: {resumed.Message}");
            Assert.Equal([$"{name}:{name}_pfk"], await ColumnAsync(keys));
        }
        finally
        {
            await DropAsync(name);
            await ExecAsync($"DROP TABLE IF EXISTS {Q(Database)}.{Q(parent)}");
        }
    }

    [Fact]
    public async Task Alter_resume_without_a_checkpoint_is_refused_and_changes_nothing()
    {
        var name = UniqueName("resnone");
        var layout = new MyTableLayout(name);
        try
        {
            await layout.CreateAsync(2_000);
            var before = await SnapshotAsync(name);
            var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, Alter) with { Resume = true }, CaptureMode.Binlog);
            Assert.Equal(ExitCodes.ResumeNotPossible, result.ExitCode);
            Assert.Contains("no checkpoint", result.Message, StringComparison.Ordinal);
            Assert.Equal(before, await SnapshotAsync(name));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Alter_resume_is_refused_when_the_alter_capture_binlog_or_schema_changed_and_each_refusal_changes_nothing()
    {
        var name = UniqueName("resref");
        var layout = new MyTableLayout(name);
        try
        {
            await layout.CreateAsync(40_000);
            await KillMidCopyAsync(name, "binlog", minRowsCheckpointed: 1);
            var leftovers = await ObjectsAsync(name);
            Assert.Contains($"_{name}_state", leftovers);

            // A plain run names --resume as the way out.
            var plain = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, Alter), CaptureMode.Binlog);
            Assert.Equal(ExitCodes.Leftovers, plain.ExitCode);
            Assert.Contains("--resume", plain.Message, StringComparison.Ordinal);

            await AssertRefusedAsync(name, "ADD COLUMN note VARCHAR(30) NULL", CaptureMode.Binlog, "ALTER differs");
            await AssertRefusedAsync(name, Alter, CaptureMode.Trigger, "--capture binlog");

            // A checkpoint whose GTID state the server's history does not contain (binlog reset, another server).
            var state = $"{Q(Database)}.{Q($"_{name}_state")}";
            var recorded = await ScalarAsync($"SELECT binlog_gtid FROM {state}");
            Assert.False(string.IsNullOrEmpty(recorded), "the checkpoint records the GTID state");
            await ExecAsync($"UPDATE {state} SET binlog_gtid = '0-1-999999999'");
            await AssertRefusedAsync(name, Alter, CaptureMode.Binlog, "gtid_binlog_pos 0-1-999999999");
            await ExecAsync($"UPDATE {state} SET binlog_gtid = {Lit(recorded!)}");

            // The kill left the capture position in the current binlog; rotate and purge past it.
            var current = (await ColumnAsync("SHOW MASTER STATUS"))[0];
            // (The server keeps a file a dump thread still reads; the killed run's thread ends at its next heartbeat.)
            await ExecAsync("FLUSH BINARY LOGS");
            for (var attempt = 0; (await ColumnAsync("SHOW BINARY LOGS")).Contains(current) && attempt < 50; attempt++)
            {
                await ExecAsync($"PURGE BINARY LOGS TO {Lit((await ColumnAsync("SHOW MASTER STATUS"))[0])}");
                await Task.Delay(200);
            }

            Assert.DoesNotContain(current, await ColumnAsync("SHOW BINARY LOGS"));
            await AssertRefusedAsync(name, Alter, CaptureMode.Binlog, "purged");

            await ExecAsync($"ALTER TABLE {layout.Table} ADD INDEX idx_label (label)");
            await AssertRefusedAsync(name, Alter, CaptureMode.Binlog, "definition changed");

            // The way out the refusals name.
            using var cleanup = StartCli("cleanup", "--dsn", Dsn, "--table", name);
            await cleanup.StandardOutput.ReadToEndAsync();
            await cleanup.WaitForExitAsync();
            Assert.Equal(0, cleanup.ExitCode);
            Assert.Empty(Helpers(await ObjectsAsync(name)));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Alter_resume_in_trigger_mode_is_refused_when_a_capture_trigger_is_gone()
    {
        var name = UniqueName("restrg");
        var layout = new MyTableLayout(name);
        try
        {
            await layout.CreateAsync(40_000);
            await KillMidCopyAsync(name, "trigger", minRowsCheckpointed: 1);
            // Someone dropped a trigger while no tool ran: deletes since then never reached the shadow.
            await ExecAsync($"DROP TRIGGER {Q(Database)}.{Q($"_{name}_del")}");
            await AssertRefusedAsync(name, Alter, CaptureMode.Trigger, $"_{name}_del");
        }
        finally
        {
            using var cleanup = StartCli("cleanup", "--dsn", Dsn, "--table", name);
            await cleanup.WaitForExitAsync();
            await DropAsync(name);
        }
    }

    private static async Task AssertRefusedAsync(string name, string alter, CaptureMode capture, string because)
    {
        var before = await SnapshotAsync(name);
        var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, alter) with { Resume = true }, capture);
        Assert.True(result.ExitCode == ExitCodes.ResumeNotPossible, $"exit {result.ExitCode}: {result.Message}");
        Assert.Contains(because, result.Message, StringComparison.Ordinal);
        Assert.Contains("shadowcopy cleanup", result.Message, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync(name));
    }

    /// <summary>Starts the run, SIGKILLs it once its checkpoint claims enough rows, and returns the rows the checkpoint claims.</summary>
    private static Task<long> KillMidCopyAsync(string name, string capture, long minRowsCheckpointed) =>
        KillAfterCheckpointAsync(name, capture, minRowsCheckpointed, "copy_done = 0", ["--max-rows-per-second", "8000"]);

    private static async Task<long> KillAfterCheckpointAsync(string name, string capture, long minRowsCheckpointed, string condition, string[] more)
    {
        using var process = StartCli([.. Args(name, capture, more)]);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var state = $"{Q(Database)}.{Q($"_{name}_state")}";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        long stored = 0;
        while (stored < minRowsCheckpointed)
        {
            if (process.HasExited)
            {
                // (Not as an Assert message: that would be evaluated, and awaited, on every pass.)
                Assert.Fail($"the run ended before the kill: {await stdout}{await stderr}");
            }

            Assert.True(DateTime.UtcNow < deadline, "no checkpoint in time");
            await Task.Delay(100);
            try
            {
                stored = long.Parse(await ScalarAsync($"SELECT rows_copied FROM {state} WHERE {condition}") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (ShadowCopy.MySql.Protocol.MySqlServerException)
            {
                // The state table does not exist yet.
            }
        }

        process.Kill(entireProcessTree: true); // SIGKILL: no cleanup, no last checkpoint
        await process.WaitForExitAsync();

        // The server finishes a statement whose client died (a chunk copy in flight): wait for it,
        // or the "nothing changed" snapshots below would race it.
        for (var wait = 0; wait < 100 && long.Parse(await ScalarAsync($"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE {Lit($"%{name}%")}") ?? "0", System.Globalization.CultureInfo.InvariantCulture) > 0; wait++)
        {
            await Task.Delay(100);
        }

        return long.Parse((await ScalarAsync($"SELECT rows_copied FROM {state}"))!, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string[] Args(string name, string capture, params string[] more) =>
        ["alter", "--dsn", Dsn, "--table", name, "--alter", Alter, "--execute", "--capture", capture, "--chunk-size", "1000", "--checkpoint-interval", "1s", "--output", "json", .. more];

    private static async Task<(int Exit, JsonElement Result, string All)> RunCliAsync(string[] args)
    {
        using var process = StartCli(args);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return (process.ExitCode, JsonDocument.Parse(last).RootElement.Clone(), stdout + await stderr);
    }

    internal static List<string> Helpers(List<string> objects) =>
        objects.Where(o => o.EndsWith("_new", StringComparison.Ordinal) || o.EndsWith("_log", StringComparison.Ordinal) || o.EndsWith("_state", StringComparison.Ordinal) || o.StartsWith("trigger ", StringComparison.Ordinal)).ToList();

    private static Process StartCli(params string[] args) => MyCli.Start(args);
}
