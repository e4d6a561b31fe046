using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.State;
using ShadowCopy.Core.Verification;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.Postgres;
using ShadowCopy.Postgres.Capture;
using ShadowCopy.Postgres.Capture.Logical;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// <c>--resume</c>: a SIGKILLed run continues from its checkpoint without starting the copy over and
/// ends equal to a control table; a resume that cannot be exact refuses with exit 20 and changes nothing.
/// </summary>
[Collection("postgres")]
public sealed class PgResumeTests(ITestOutputHelper output)
{
    private const long SeedRows = 200_000;
    private const string Alter = "ADD COLUMN note text DEFAULT 'n/a'";

    [Theory]
    [InlineData("trigger", 1)]
    [InlineData("logical", 1)]
    [InlineData("trigger", 3)]
    public async Task Resume_AfterSigkillDuringCopyWithFourWriters_ContinuesAndMatchesControl(string capture, int threads)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(SeedRows);
        var state = $"{schema.Q}.{PgServer.Q("_orders_state")}";
        try
        {
            await using var load = new PgWriterLoad(layout, writers: 4);
            await load.StartAsync(SeedRows);
            await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));

            string[] Args(params string[] extra) =>
                ["alter", "--dsn", PgServer.Dsn(), "--table", $"{schema.Name}.orders", "--alter", Alter, "--execute", "--capture", capture,
                 "--chunk-size", "500", "--max-chunk-size", "2000", "--chunk-time", "100ms", "--checkpoint-interval", "300ms", "--output", "json", "--threads", threads.ToString(CultureInfo.InvariantCulture), .. extra];

            long atKill;
            using (var first = PgCliProcessTests.StartCli(Args("--max-rows-per-second", "12000")))
            {
                var drain = DrainAsync(first);
                var watch = Stopwatch.StartNew();
                atKill = 0;
                while (watch.Elapsed < TimeSpan.FromSeconds(90) && !first.HasExited)
                {
                    atKill = await CheckpointedRowsAsync(state);
                    if (atKill >= 40_000)
                    {
                        break;
                    }

                    await Task.Delay(50);
                }

                if (first.HasExited)
                {
                    Assert.Fail("the first run ended before it could be killed: " + await drain);
                }

                first.Kill(entireProcessTree: true); // SIGKILL: no cleanup, no last checkpoint
                await first.WaitForExitAsync();
                await drain;
            }

            // What the killed run had committed to the checkpoint is what the resume starts from.
            var checkpointed = await CheckpointedRowsAsync(state);
            Assert.InRange(checkpointed, 40_000, SeedRows - 1);

            using var second = PgCliProcessTests.StartCli(Args("--resume"));
            var stdout = await second.StandardOutput.ReadToEndAsync();
            var stderr = await second.StandardError.ReadToEndAsync();
            await second.WaitForExitAsync();
            var atSwap = load.Operations;
            await load.WaitForOperationsAsync(atSwap + 100, TimeSpan.FromSeconds(20));
            await load.StopAsync();

            Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}\n{stdout}\n{stderr}");
            Assert.Contains("resuming from checkpoint", stdout, StringComparison.Ordinal);
            var result = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.Contains("\"type\":\"result\"", StringComparison.Ordinal))).RootElement;
            var total = result.GetProperty("rows_copied").GetInt64();
            var afterResume = total - checkpointed;
            output.WriteLine($"{capture}, {threads} thread(s): seeded {SeedRows}, checkpointed {checkpointed} rows when killed, resumed run copied {afterResume} (total {total}), changes applied {result.GetProperty("changes_applied").GetInt64()}, writer ops {load.Operations}");
            Assert.InRange(afterResume, 1, SeedRows - 40_000);
            Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));

            Assert.Equal(
                await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
                await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
            await PgConcurrentAlterTests.AssertNoHelpersAsync(schema.Name, "orders");
            await PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, "orders");
        }
        finally
        {
            await PgCleanup.RunAsync(PgServer.Settings(), new TableName(schema.Name, "orders"), TimeSpan.FromSeconds(2), CancellationToken.None);
        }
    }

    [Fact]
    public async Task Resume_NoCheckpoint_RefusedWithExit20AndNothingChanged()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(2_000);
        var before = await PgCatalogSnapshot.TakeAsync(schema.Name);

        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "orders", Alter) with { Resume = true });

        Assert.Equal(ExitCodes.ResumeNotPossible, result.ExitCode);
        Assert.Contains("No checkpoint", result.Message, StringComparison.Ordinal);
        Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
    }

    [Fact]
    public async Task Resume_AlterTextChanged_RefusedUnchangedThenSameAlterResumes()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(20_000);
        try
        {
            await LeaveKilledRunAsync(schema.Name, "trigger");
            var before = await PgCatalogSnapshot.TakeAsync(schema.Name);

            var refused = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN other text") with { Resume = true });
            Assert.Equal(ExitCodes.ResumeNotPossible, refused.ExitCode);
            Assert.Contains("different ALTER", refused.Message, StringComparison.Ordinal);
            Assert.Contains("shadowcopy cleanup", refused.Message, StringComparison.Ordinal);
            Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));

            // Without --resume the leftovers refuse, naming both ways out.
            var leftovers = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "orders", Alter));
            Assert.Equal(ExitCodes.Leftovers, leftovers.ExitCode);
            Assert.Contains("--resume", leftovers.Message, StringComparison.Ordinal);

            var sink = new RecordingStatusSink();
            var resumed = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "orders", Alter) with { Resume = true }, sink: sink);
            Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Message);
            Assert.Contains(sink.Messages, m => m.StartsWith("resuming from checkpoint", StringComparison.Ordinal));
            Assert.Equal(
                await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
                await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
            await PgConcurrentAlterTests.AssertNoHelpersAsync(schema.Name, "orders");
        }
        finally
        {
            await PgCleanup.RunAsync(PgServer.Settings(), new TableName(schema.Name, "orders"), TimeSpan.FromSeconds(2), CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Resume_OriginalSchemaChanged_RefusedWithExit20AndNothingChanged(string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(20_000);
        try
        {
            await LeaveKilledRunAsync(schema.Name, capture);
            await PgServer.ExecAsync($"ALTER TABLE {layout.Table} ADD COLUMN added_meanwhile integer");
            var before = await PgCatalogSnapshot.TakeAsync(schema.Name);

            var refused = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "orders", Alter) with { Resume = true }, capture: PgAlterHarness.Logical with { Mode = capture });

            Assert.Equal(ExitCodes.ResumeNotPossible, refused.ExitCode);
            Assert.Contains("schema of", refused.Message, StringComparison.Ordinal);
            Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
        }
        finally
        {
            await PgCleanup.RunAsync(PgServer.Settings(), new TableName(schema.Name, "orders"), TimeSpan.FromSeconds(2), CancellationToken.None);
        }
    }

    [Fact]
    public async Task Resume_LogicalSlotDropped_RefusedWithExit20AndNothingChanged()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(20_000);
        var table = new TableName(schema.Name, "orders");
        try
        {
            await LeaveKilledRunAsync(schema.Name, "logical");
            await WaitForSlotInactiveAsync(PgLogicalNames.Slot(table));
            await PgServer.ExecAsync($"SELECT pg_drop_replication_slot('{PgLogicalNames.Slot(table)}')");
            var before = await PgCatalogSnapshot.TakeAsync(schema.Name);

            var refused = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "orders", Alter) with { Resume = true }, capture: PgAlterHarness.Logical);

            Assert.Equal(ExitCodes.ResumeNotPossible, refused.ExitCode);
            Assert.Contains("slot", refused.Message, StringComparison.Ordinal);
            Assert.Contains("gone", refused.Message, StringComparison.Ordinal);
            Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
        }
        finally
        {
            await PgCleanup.RunAsync(PgServer.Settings(), table, TimeSpan.FromSeconds(2), CancellationToken.None);
        }
    }

    [Fact]
    public async Task Resume_WhileTheRunIsStillAlive_RefusedWithExit20()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(60_000);
        var before = await PgCatalogSnapshot.TakeAsync(schema.Name);
        var options = PgAlterHarness.Options(schema.Name, "orders", Alter) with { CheckpointInterval = TimeSpan.FromMilliseconds(200), MaxRowsPerSecond = 5_000 };
        using var stop = new CancellationTokenSource();
        var live = PgAlterHarness.RunAsync(options, cancellationToken: stop.Token);
        var state = $"{schema.Q}.{PgServer.Q("_orders_state")}";
        while (!live.IsCompleted && await CheckpointedRowsAsync(state) < 2_000)
        {
            await Task.Delay(50);
        }

        var refused = await PgAlterHarness.RunAsync(options with { Resume = true });
        await stop.CancelAsync();
        var first = await live;

        Assert.Equal(ExitCodes.ResumeNotPossible, refused.ExitCode);
        Assert.Contains("still active", refused.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Cancelled, first.ExitCode);
        Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
        await PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, "orders");
    }

    [Fact]
    public async Task Resume_AfterCopyAndIndexBuild_FinishCopyRunsAgainAndCompletes()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(20_000);
        try
        {
            // Killed after FinishCopy built the deferred index, before verification.
            var options = PgAlterHarness.Options(schema.Name, "orders", Alter);
            await using (var backend = new PgAlterBackend(PgServer.Settings(), options, NullLogger.Instance))
            {
                var rows = await BackendSteps.CopyEverythingAsync(backend, 5000);
                await backend.SaveCheckpointAsync(new RunProgress { Phase = Phase.Verifying, RowsCopied = rows, ChunksCopied = 5, CopyDone = true }, CancellationToken.None);
            }

            await PgServer.ExecAsync($"UPDATE {layout.Table} SET n = n + 1 WHERE id % 10 = 0; UPDATE {layout.Control} SET n = n + 1 WHERE id % 10 = 0");
            var sink = new RecordingStatusSink();
            var resumed = await PgAlterHarness.RunAsync(options with { Resume = true }, sink: sink);

            Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Message);
            Assert.Contains(sink.Messages, m => m.Contains("copy complete", StringComparison.Ordinal));
            Assert.Equal(20_000, resumed.RowsCopied);
            Assert.True(resumed.ChangesApplied >= 2_000, $"changes applied: {resumed.ChangesApplied}");
            Assert.Equal(
                await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
                await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
            Assert.Equal(
                ["orders_email_idx", "orders_n_idx", "orders_pkey"],
                await PgConcurrentAlterTests.NamesAsync($"SELECT indexname FROM pg_indexes WHERE schemaname = '{schema.Name}' AND tablename = 'orders' ORDER BY 1"));
            await PgConcurrentAlterTests.AssertNoHelpersAsync(schema.Name, "orders");
        }
        finally
        {
            await PgCleanup.RunAsync(PgServer.Settings(), new TableName(schema.Name, "orders"), TimeSpan.FromSeconds(2), CancellationToken.None);
        }
    }

    /// <summary>
    /// Issue 13: SIGKILLed in its cleanup (the swap done, the checkpoint's DROP held by a reader's lock),
    /// the run is resumed: it recognises the finished swap, finishes the cleanup (old table included, with
    /// --drop-old-table) and exits 0 — it does not refuse, and running the ALTER again is never needed.
    /// </summary>
    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Resume_AfterSigkillInTheCleanup_FinishesTheCleanupAndExits0(string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(20_000);
        var state = $"{schema.Q}.{PgServer.Q("_orders_state")}";
        try
        {
            await using var load = new PgWriterLoad(layout, writers: 2);
            await load.StartAsync(20_000);
            string[] Args(params string[] extra) =>
                ["alter", "--dsn", PgServer.Dsn(), "--table", $"{schema.Name}.orders", "--alter", Alter, "--execute", "--capture", capture,
                 "--checkpoint-interval", "300ms", "--output", "json", "--drop-old-table", .. extra];

            await using var holder = await PgServer.OpenAsync();
            using (var first = PgCliProcessTests.StartCli(Args("--max-rows-per-second", "5000")))
            {
                var drain = DrainAsync(first);
                var watch = Stopwatch.StartNew();
                while (await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema.Name}' AND c.relname = '_orders_state'") == 0)
                {
                    Assert.True(!first.HasExited && watch.Elapsed < TimeSpan.FromSeconds(60), "no checkpoint table: " + (first.HasExited ? await drain : "timeout"));
                    await Task.Delay(20);
                }

                // A reader's lock on the checkpoint: writes to it go on, its DROP (the cleanup's last step) waits.
                await using (var begin = new Npgsql.NpgsqlCommand($"BEGIN; LOCK TABLE {state} IN ACCESS SHARE MODE", holder))
                {
                    await begin.ExecuteNonQueryAsync();
                }

                while (await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DROP TABLE IF EXISTS %_orders_state%'") == 0)
                {
                    Assert.True(!first.HasExited && watch.Elapsed < TimeSpan.FromSeconds(120), "the cleanup never reached the checkpoint: " + (first.HasExited ? await drain : "timeout"));
                    await Task.Delay(50);
                }

                Assert.Equal("CleaningUp", await PgServer.ScalarAsync<string>($"SELECT phase FROM {state}"));
                first.Kill(entireProcessTree: true); // SIGKILL in the cleanup: the swap is done
                await first.WaitForExitAsync();
                await drain;
            }

            await using (var commit = new Npgsql.NpgsqlCommand("COMMIT", holder))
            {
                await commit.ExecuteNonQueryAsync();
            }

            await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(20));
            using var second = PgCliProcessTests.StartCli(Args("--resume"));
            var stdout = await second.StandardOutput.ReadToEndAsync();
            var stderr = await second.StandardError.ReadToEndAsync();
            await second.WaitForExitAsync();
            await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(20));
            await load.StopAsync();

            Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}\n{stdout}\n{stderr}");
            Assert.Contains("already complete", stdout, StringComparison.Ordinal);
            Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
            Assert.Equal(
                await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
                await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
            Assert.Equal(0, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema.Name}' AND c.relname LIKE '\\_orders\\_%'"));
            await PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, "orders");
        }
        finally
        {
            await PgCleanup.RunAsync(PgServer.Settings(), new TableName(schema.Name, "orders"), TimeSpan.FromSeconds(2), CancellationToken.None);
        }
    }

    /// <summary>
    /// Killed right after the swap's commit, before any cleanup: the capture (trigger log and function,
    /// or slot and publication) is still there and only the cut-over transaction itself recorded that
    /// the swap happened. The resume removes the capture, keeps the old table, and loses no write.
    /// </summary>
    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Resume_KilledRightAfterTheSwapCommitted_RemovesTheCaptureAndExits0(string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(5_000);
        var captureOptions = PgAlterHarness.Logical with { Mode = capture };
        var options = PgAlterHarness.Options(schema.Name, "orders", Alter);
        try
        {
            await using (var backend = new PgAlterBackend(PgServer.Settings(), options, NullLogger.Instance, captureOptions))
            {
                var rows = await BackendSteps.CopyEverythingAsync(backend, 2000);
                await backend.SaveCheckpointAsync(new RunProgress { Phase = Phase.CuttingOver, RowsCopied = rows, CopyDone = true }, CancellationToken.None);
                var attempt = await backend.TryCutOverAsync(TimeSpan.FromSeconds(5), CutOverVerification.None, CancellationToken.None);
                Assert.True(attempt.Succeeded, attempt.Error);
            }

            // Only the cut-over transaction wrote this: the runner never saw the swap.
            Assert.Equal("CleaningUp", await PgServer.ScalarAsync<string>($"SELECT phase FROM {schema.Q}.{PgServer.Q("_orders_state")}"));
            var leftover = capture == "logical"
                ? $"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{PgLogicalNames.Slot(new TableName(schema.Name, "orders"))}'"
                : $"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema.Name}' AND c.relname = '_orders_log'";
            Assert.Equal(1, await PgServer.ScalarAsync<long>(leftover));

            await PgServer.ExecAsync($"UPDATE {layout.Table} SET n = n + 1 WHERE id % 7 = 0; UPDATE {layout.Control} SET n = n + 1 WHERE id % 7 = 0");
            var sink = new RecordingStatusSink();
            var resumed = await PgAlterHarness.RunAsync(options with { Resume = true }, sink: sink, capture: captureOptions);

            Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Message);
            Assert.Contains("already complete", resumed.Message, StringComparison.Ordinal);
            Assert.Contains(sink.Messages, m => m.Contains("resuming after the swap", StringComparison.Ordinal));
            Assert.Equal(0, await PgServer.ScalarAsync<long>(leftover));
            Assert.Equal(
                await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
                await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
            Assert.Equal(1, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM information_schema.columns WHERE table_schema = '{schema.Name}' AND table_name = 'orders' AND column_name = 'note'"));
            await PgConcurrentAlterTests.AssertNoHelpersAsync(schema.Name, "orders"); // the old table is kept without --drop-old-table
            await PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, "orders");
        }
        finally
        {
            await PgCleanup.RunAsync(PgServer.Settings(), new TableName(schema.Name, "orders"), TimeSpan.FromSeconds(2), CancellationToken.None);
        }
    }

    /// <summary>
    /// What a SIGKILL during the copy leaves: shadow, capture, a checkpoint after a few chunks — the
    /// backend's steps run by hand, then its connections closed without any cleanup.
    /// </summary>
    private static async Task LeaveKilledRunAsync(string schema, string capture)
    {
        var options = PgAlterHarness.Options(schema, "orders", Alter);
        await using var backend = new PgAlterBackend(PgServer.Settings(), options, NullLogger.Instance, PgAlterHarness.Logical with { Mode = capture });
        await backend.PreflightAsync(CancellationToken.None);
        await backend.CreateShadowAsync(CancellationToken.None);
        await backend.StartCaptureAsync(CancellationToken.None);
        long rows = 0;
        for (var i = 0; i < 3; i++)
        {
            rows += (await backend.CopyChunkAsync(1000, CancellationToken.None)).Rows;
        }

        await backend.SaveCheckpointAsync(new RunProgress { Phase = Phase.Copying, RowsCopied = rows, ChunksCopied = 3, RowsEstimated = 20_000 }, CancellationToken.None);
    }

    private static async Task WaitForSlotInactiveAsync(string slot)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{slot}' AND active") == 0)
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    private static async Task<long> CheckpointedRowsAsync(string state)
    {
        try
        {
            return await PgServer.ScalarAsync<long>($"SELECT coalesce(max(rows_copied), 0) FROM {state}");
        }
        catch (Npgsql.PostgresException error) when (error.SqlState == "42P01")
        {
            return 0; // no checkpoint yet
        }
    }

    private static async Task<string> DrainAsync(Process process)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        return await stdout + await stderr;
    }
}
