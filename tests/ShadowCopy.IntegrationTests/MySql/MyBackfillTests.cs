using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// <c>shadowcopy backfill</c> on MariaDB through the real executable, under four writers mirrored
/// into a control table; the dual write is a trigger keeping n2 = n * 2 on every write.
/// </summary>
[Collection("mysql")]
public sealed class MyBackfillTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Rows = 100_000;

    [Fact]
    public async Task Backfill_under_load_ends_with_nothing_left_no_drift_and_equals_the_control()
    {
        var name = UniqueName("bfload");
        try
        {
            var layout = await ExpandAsync(name);
            await using var load = new MyWriterLoad(layout, writers: 4);
            await load.StartAsync(Rows);
            await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));

            var (exit, result, all) = await RunAsync(Args(name, "--execute", "--where", "n2 IS NULL", "--batch-size", "500", "--max-batch-size", "5000"));
            await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(20));
            await load.StopAsync();

            Assert.True(exit == 0, all);
            Assert.Equal(0, result.GetProperty("rows_remaining").GetInt64());
            Assert.Equal(0, result.GetProperty("rows_drifted").GetInt64());
            output.WriteLine($"batches {result.GetProperty("batches").GetInt64()}, updated {result.GetProperty("rows_updated").GetInt64()}, {result.GetProperty("duration_seconds").GetDouble()} s, writer ops {load.Operations}, deadlocks {load.Deadlocks}");
            Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
            await AssertEqualsControlAsync(layout);
            Assert.DoesNotContain($"_{name}_bf_state", await ObjectsAsync(name));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Backfill_SIGKILLed_mid_run_and_resumed_finishes_clean_and_redoes_no_finished_batch()
    {
        var name = UniqueName("bfkill");
        try
        {
            var layout = await ExpandAsync(name);
            await using var load = new MyWriterLoad(layout, writers: 4);
            await load.StartAsync(Rows);
            await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
            var state = $"{Q(Database)}.{Q($"_{name}_bf_state")}";
            // Every key a writer's UPDATE of id moves a row to.
            var moved = $"{Q(Database)}.{Q(name + "_moved")}";
            await ExecAsync($"CREATE TABLE {moved} (id BIGINT) ENGINE=InnoDB");
            await ExecAsync($"CREATE TRIGGER {Q(Database)}.{Q(name + "_mv")} AFTER UPDATE ON {layout.Table} FOR EACH ROW INSERT INTO {moved} SELECT NEW.id FROM DUAL WHERE NEW.id <> OLD.id");
            // No --where: every row of a batch is touched, so a batch done twice would show in touched_at.
            string[] args = [.. Args(name, "--execute", "--batch-size", "500", "--max-batch-size", "1000", "--max-rows-per-second", "10000")];

            long batchesAtKill;
            using (var first = MyCli.Start(args))
            {
                var drain = Task.WhenAll(first.StandardOutput.ReadToEndAsync(), first.StandardError.ReadToEndAsync());
                var watch = Stopwatch.StartNew();
                while ((batchesAtKill = await BatchesAsync(state)) < 20)
                {
                    Assert.True(!first.HasExited && watch.Elapsed < TimeSpan.FromSeconds(60), "no checkpoint before the kill: " + (first.HasExited ? string.Concat(await drain) : "timeout"));
                    await Task.Delay(20);
                }

                first.Kill(entireProcessTree: true); // SIGKILL: the batch in flight never commits
                await first.WaitForExitAsync();
                await drain;
            }

            // The server rolls back the dead client's open batch; wait until its statements are gone.
            for (var wait = 0; wait < 100 && long.Parse(await ScalarAsync($"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE {Lit($"%{name}%")} AND INFO NOT LIKE '%PROCESSLIST%'") ?? "0", CultureInfo.InvariantCulture) > 0; wait++)
            {
                await Task.Delay(100);
            }

            var killedAt = await ScalarAsync("SELECT NOW(6)");
            batchesAtKill = await BatchesAsync(state);
            var upperAtKill = long.Parse((await ScalarAsync($"SELECT JSON_VALUE(upper_bound, '$[0][0]') FROM {state}"))!, CultureInfo.InvariantCulture);
            Assert.InRange(upperAtKill, 1, Rows - 1);
            // Rows a batch skipped (an application transaction held them) are done after the resume: not a redo.
            var skippedAtKill = await ScalarAsync($"SELECT COALESCE(GROUP_CONCAT(k.id), '0') FROM {state}, JSON_TABLE(skipped, '$[*]' COLUMNS (id VARCHAR(64) PATH '$[0]')) AS k") ?? "0";

            var (exit, result, all) = await RunAsync([.. args, "--resume"]);
            await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(20));
            await load.StopAsync();

            Assert.True(exit == 0, all);
            // The --set increments touched: a row of a batch done twice (before or after the kill) has 2.
            // Writers never raise it and a reinserted key starts again at 0; only a row whose key a writer
            // moved (id -> -id -> id, from a done range to one not yet done) may be updated twice.
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM {layout.Table} WHERE touched > 1 AND id NOT IN (SELECT id FROM {moved})"));
            Assert.Contains("resuming from checkpoint", all, StringComparison.Ordinal);
            Assert.Equal(0, result.GetProperty("rows_drifted").GetInt64());
            Assert.Equal(batchesAtKill, result.GetProperty("batches").GetInt64() - result.GetProperty("batches_this_run").GetInt64());
            var redone = long.Parse((await ScalarAsync($"SELECT COUNT(*) FROM {layout.Table} WHERE id BETWEEN 1 AND {upperAtKill} AND id NOT IN ({skippedAtKill}) AND touched_at > {Lit(killedAt!)}"))!, CultureInfo.InvariantCulture);
            output.WriteLine($"killed after {batchesAtKill} batches (upper bound {upperAtKill}); resumed run: {result.GetProperty("batches_this_run").GetInt64()} batches; rows at or below the bound touched again: {redone}; rows touched twice: {await ScalarAsync($"SELECT COUNT(*) FROM {layout.Table} WHERE touched > 1")} (keys moved back by writers); rows touched once: {await ScalarAsync($"SELECT COUNT(*) FROM {layout.Table} WHERE touched = 1")}; writer ops {load.Operations}");
            Assert.Equal(0, redone);
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM {layout.Table} WHERE n2 IS NULL"));
            Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
            await AssertEqualsControlAsync(layout);
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>
    /// InnoDB rolls back the smaller transaction of a deadlock, the application's: a batch must never
    /// wait for a row an application transaction holds while it holds rows itself. It skips the held row
    /// (recorded in the checkpoint), finishes the key space, and updates the row alone after the commit.
    /// </summary>
    [Fact]
    public async Task A_batch_skips_a_row_the_application_holds_and_updates_it_alone_after_the_commit_no_wait_no_deadlock()
    {
        var name = UniqueName("bfheld");
        try
        {
            var layout = await ExpandAsync(name);
            var state = $"{Q(Database)}.{Q($"_{name}_bf_state")}";
            await using var app = await OpenAsync();
            await app.ExecuteAsync("START TRANSACTION");
            foreach (var table in new[] { layout.Table, layout.Control })
            {
                await app.ExecuteAsync($"UPDATE {table} SET n = n + 1 WHERE id = 250");
            }

            // No --where: every row must be touched exactly once, the held one included.
            using var cli = MyCli.Start(Args(name, "--execute", "--batch-size", "500", "--max-batch-size", "5000", "--lock-wait-timeout", "1s"));
            var stdout = cli.StandardOutput.ReadToEndAsync();
            var stderr = cli.StandardError.ReadToEndAsync();
            var watch = Stopwatch.StartNew();
            string? skipped;
            while (true)
            {
                Assert.True(!cli.HasExited && watch.Elapsed < TimeSpan.FromSeconds(90), "the batches never got past the held row: " + (cli.HasExited ? await stdout + await stderr : "timeout"));
                try
                {
                    skipped = await ScalarAsync($"SELECT skipped FROM {state} WHERE done = 1");
                }
                catch (ShadowCopy.MySql.Protocol.MySqlServerException)
                {
                    skipped = null;
                }

                if (skipped is not null)
                {
                    break;
                }

                await Task.Delay(50);
            }

            Assert.Equal("[[\"250\"]]", skipped);
            var wait = Stopwatch.StartNew();
            foreach (var table in new[] { layout.Table, layout.Control })
            {
                await app.ExecuteAsync($"UPDATE {table} SET n = n + 1 WHERE id = 100");
            }

            output.WriteLine($"key space done in {watch.Elapsed.TotalSeconds:0.0} s with row 250 held; the application's next row waited {wait.ElapsedMilliseconds} ms");
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(1), $"the application waited {wait.ElapsedMilliseconds} ms for a row of a committed batch");
            await app.ExecuteAsync("COMMIT");

            await cli.WaitForExitAsync();
            var all = await stdout + await stderr;
            Assert.True(cli.ExitCode == 0, all);
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM {layout.Table} WHERE touched <> 1"));
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM {layout.Table} WHERE NOT (n2 <=> n * 2)"));
            await AssertEqualsControlAsync(layout);
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Backfill_dry_run_changes_nothing_and_bad_input_is_refused_with_exit_21_and_changes_nothing()
    {
        var name = UniqueName("bfdry");
        try
        {
            var layout = await ExpandAsync(name, rows: 20_000);
            var before = await ScalarAsync(Checksum(layout.Table));

            var (exit, result, all) = await RunAsync(Args(name, "--where", "n2 IS NULL"));
            Assert.True(exit == 0, all);
            Assert.Equal("dry-run", result.GetProperty("outcome").GetString());
            Assert.True(result.GetProperty("estimated_batches").GetInt64() > 0, all);
            Assert.Contains(result.GetProperty("plan").EnumerateArray(), p => p.GetProperty("sql").GetString()!.Contains("FOR UPDATE SKIP LOCKED", StringComparison.Ordinal) && p.GetProperty("lock").GetString()!.Contains("innodb_lock_wait_timeout", StringComparison.Ordinal));

            foreach (var (set, where, expected) in new[]
            {
                ("nope = 1", (string?)null, "nope"),
                ("n2 = n *", null, "syntax"),
                ("n2 = n * 2", "missing_column IS NULL", "missing_column"),
                ("n2 = n * 2; DROP TABLE x", null, "';'"),
            })
            {
                string[] bad = ["backfill", "--dsn", Dsn, "--table", name, "--set", set, "--execute", "--output", "json", "--journal", "none", .. where is null ? Array.Empty<string>() : ["--where", where]];
                var (code, refusal, text) = await RunAsync(bad);
                Assert.True(code == ExitCodes.BackfillRejected, $"{set}: {text}");
                Assert.Contains(expected, refusal.GetProperty("message").GetString(), StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
            }

            await ExecAsync($"CREATE TABLE {Q(Database)}.{Q(name + "_nokey")} (a INT NULL, b INT NULL) ENGINE=InnoDB");
            var (noKey, _, noKeyText) = await RunAsync(["backfill", "--dsn", Dsn, "--table", name + "_nokey", "--set", "b = a", "--output", "json", "--journal", "none"]);
            Assert.True(noKey == ExitCodes.NoUsableKey, noKeyText);

            Assert.Equal(before, await ScalarAsync(Checksum(layout.Table)));
            Assert.DoesNotContain($"_{name}_bf_state", await ObjectsAsync(name));
        }
        finally
        {
            await ExecAsync($"DROP TABLE IF EXISTS {Q(Database)}.{Q(name + "_nokey")}");
            await DropAsync(name);
        }
    }

    private static async Task<MyTableLayout> ExpandAsync(string name, int rows = Rows)
    {
        var layout = new MyTableLayout(name);
        await layout.CreateAsync(rows);
        await ExecAsync($"ALTER TABLE {layout.Table} ADD COLUMN n2 BIGINT NULL, ADD COLUMN touched INT NOT NULL DEFAULT 0, ADD COLUMN touched_at DATETIME(6) NULL");
        await ExecAsync($"ALTER TABLE {layout.Control} ADD COLUMN n2 BIGINT NULL");
        // The dual write, as the application's expand step would install it.
        await ExecAsync($"CREATE TRIGGER {Q(Database)}.{Q(name + "_dw_i")} BEFORE INSERT ON {layout.Table} FOR EACH ROW SET NEW.n2 = NEW.n * 2");
        await ExecAsync($"CREATE TRIGGER {Q(Database)}.{Q(name + "_dw_u")} BEFORE UPDATE ON {layout.Table} FOR EACH ROW SET NEW.n2 = NEW.n * 2");
        return layout;
    }

    private static string[] Args(string name, params string[] more) =>
        ["backfill", "--dsn", Dsn, "--table", name, "--set", "n2 = n * 2, touched = touched + 1, touched_at = NOW(6)",
         "--verify", "NOT (n2 <=> n * 2)", "--batch-time", "100ms", "--output", "json", "--journal", "none", .. more];

    private static string Checksum(string table) => MyTableLayout.ChecksumSql(table, label: "CONCAT_WS('|', label, n2)");

    private static async Task AssertEqualsControlAsync(MyTableLayout layout)
    {
        await ExecAsync($"UPDATE {layout.Control} SET n2 = n * 2");
        Assert.True(await ScalarAsync(Checksum(layout.Control)) == await ScalarAsync(Checksum(layout.Table)), await layout.DiffAsync());
    }

    private static async Task<long> BatchesAsync(string state)
    {
        try
        {
            return long.Parse(await ScalarAsync($"SELECT COALESCE(MAX(batches), 0) FROM {state}") ?? "0", CultureInfo.InvariantCulture);
        }
        catch (ShadowCopy.MySql.Protocol.MySqlServerException)
        {
            return 0;
        }
    }

    internal static async Task<(int Exit, JsonElement Result, string All)> RunAsync(string[] args)
    {
        using var process = MyCli.Start(args);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.Contains("\"type\":\"result\"", StringComparison.Ordinal)) ?? "{}";
        return (process.ExitCode, JsonDocument.Parse(last).RootElement.Clone(), stdout + await stderr);
    }
}
