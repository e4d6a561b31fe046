using System.Diagnostics;
using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// <c>shadowcopy backfill</c> through the real executable, under four writers mirrored into a
/// control table. The expand step adds n2 (and a touch counter); the dual write is a trigger that
/// keeps n2 = n * 2 on every write, as an application would; the backfill fills the old rows.
/// </summary>
[Collection("postgres")]
public sealed class PgBackfillTests(ITestOutputHelper output)
{
    private const long SeedRows = 100_000;

    [Fact]
    public async Task Backfill_under_load_ends_with_nothing_left_no_drift_and_equals_the_control()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = await ExpandAsync(schema);
        await using var load = new PgWriterLoad(layout, writers: 4);
        await load.StartAsync(SeedRows);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));

        var (exit, result, all) = await RunAsync(Args(schema, "--execute", "--where", "n2 IS NULL", "--batch-size", "500", "--max-batch-size", "5000"));
        await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(20));
        await load.StopAsync();

        Assert.True(exit == 0, all);
        Assert.Equal(0, result.GetProperty("rows_remaining").GetInt64());
        Assert.Equal(0, result.GetProperty("rows_drifted").GetInt64());
        output.WriteLine($"batches {result.GetProperty("batches").GetInt64()}, updated {result.GetProperty("rows_updated").GetInt64()}, {result.GetProperty("duration_seconds").GetDouble()} s, writer ops {load.Operations}");
        Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
        await AssertEqualsControlAsync(layout);
        Assert.Equal(0, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{schema.Name}' AND tablename = '_orders_bf_state'"));
    }

    [Fact]
    public async Task Backfill_SIGKILLed_mid_run_and_resumed_finishes_clean_and_redoes_no_finished_batch()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = await ExpandAsync(schema);
        await using var load = new PgWriterLoad(layout, writers: 4);
        await load.StartAsync(SeedRows);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
        var state = $"{schema.Q}.{PgServer.Q("_orders_bf_state")}";
        var moved = await LogKeyMovesAsync(schema, layout);
        // No --where: every row of a batch is touched, so a batch done twice would show in touched_at.
        string[] args = [.. Args(schema, "--execute", "--batch-size", "500", "--max-batch-size", "1000", "--max-rows-per-second", "10000")];

        long batchesAtKill;
        using (var first = PgCliProcessTests.StartCli(args))
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

        var killedAt = await PgServer.ScalarAsync<DateTime>("SELECT clock_timestamp()::timestamp");
        batchesAtKill = await BatchesAsync(state);
        var upperAtKill = await PgServer.ScalarAsync<long>($"SELECT upper_bound[1]::bigint FROM {state}");
        // Rows a batch skipped (an application transaction held them) are done after the resume: not a redo.
        var skippedAtKill = await PgServer.ScalarAsync<string>($"SELECT coalesce(string_agg(k->>0, ','), '0') FROM {state}, jsonb_array_elements(skipped) k");
        Assert.InRange(upperAtKill, 1, SeedRows - 1);

        var (exit, result, all) = await RunAsync([.. args, "--resume"]);
        await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(20));
        await load.StopAsync();

        Assert.True(exit == 0, all);
        // The --set increments touched: a row of a batch done twice (before or after the kill) has 2.
        // Writers never raise it and a reinserted key starts again at 0; only a row whose key a writer
        // moved (id -> -id -> id, from a done range to one not yet done) may be updated twice.
        Assert.Equal(0, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {layout.Table} WHERE touched > 1 AND id NOT IN (SELECT id FROM {moved})"));
        Assert.Contains("resuming from checkpoint", all, StringComparison.Ordinal);
        Assert.Equal(0, result.GetProperty("rows_drifted").GetInt64());
        Assert.Equal(batchesAtKill, result.GetProperty("batches").GetInt64() - result.GetProperty("batches_this_run").GetInt64());
        // Rows at or below the killed run's last committed bound were never touched again (positive
        // keys only: a writer may move a row the resumed run touched to -id).
        var redone = await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {layout.Table} WHERE id BETWEEN 1 AND {upperAtKill} AND id NOT IN ({skippedAtKill}) AND touched_at > '{killedAt:yyyy-MM-dd HH:mm:ss.ffffff}'");
        output.WriteLine($"killed after {batchesAtKill} batches (upper bound {upperAtKill}); resumed run: {result.GetProperty("batches_this_run").GetInt64()} batches; rows at or below the bound touched again: {redone}; rows touched twice: {await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {layout.Table} WHERE touched > 1")} (keys moved back by writers); rows touched once: {await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {layout.Table} WHERE touched = 1")}; writer ops {load.Operations}");
        Assert.Equal(0, redone);
        Assert.Equal(0, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {layout.Table} WHERE n2 IS NULL"));
        Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
        await AssertEqualsControlAsync(layout);
    }

    /// <summary>
    /// The cause of a deadlock seen under load: a batch that waits for a row an application transaction
    /// holds, while holding rows that transaction wants next. A batch now skips a held row (recorded in
    /// the checkpoint), finishes the key space, and updates the row on its own after the application
    /// commits; meanwhile the application's next row in the same range does not wait.
    /// </summary>
    [Fact]
    public async Task A_batch_skips_a_row_the_application_holds_and_updates_it_alone_after_the_commit_no_wait_no_deadlock()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = await ExpandAsync(schema);
        var state = $"{schema.Q}.{PgServer.Q("_orders_bf_state")}";
        await using var app = await PgServer.OpenAsync();
        await using var tx = await app.BeginTransactionAsync();
        foreach (var table in new[] { layout.Table, layout.Control })
        {
            await using var hold = new Npgsql.NpgsqlCommand($"UPDATE {table} SET n = n + 1 WHERE id = 250", app, tx);
            Assert.Equal(1, await hold.ExecuteNonQueryAsync());
        }

        // No --where: every row must be touched exactly once, the held one included.
        using var cli = PgCliProcessTests.StartCli(Args(schema, "--execute", "--batch-size", "500", "--max-batch-size", "5000", "--lock-wait-timeout", "1s"));
        var stdout = cli.StandardOutput.ReadToEndAsync();
        var stderr = cli.StandardError.ReadToEndAsync();
        var watch = Stopwatch.StartNew();
        string skipped;
        while (true)
        {
            Assert.True(!cli.HasExited && watch.Elapsed < TimeSpan.FromSeconds(90), "the batches never got past the held row: " + (cli.HasExited ? await stdout + await stderr : "timeout"));
            var rows = await StateAsync(state);
            if (rows is { Done: true } done)
            {
                skipped = done.Skipped;
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal("[[\"250\"]]", skipped);
        var wait = Stopwatch.StartNew();
        foreach (var table in new[] { layout.Table, layout.Control })
        {
            await using var next = new Npgsql.NpgsqlCommand($"UPDATE {table} SET n = n + 1 WHERE id = 100", app, tx);
            Assert.Equal(1, await next.ExecuteNonQueryAsync());
        }

        output.WriteLine($"key space done in {watch.Elapsed.TotalSeconds:0.0} s with row 250 held; the application's next row waited {wait.ElapsedMilliseconds} ms");
        Assert.True(wait.Elapsed < TimeSpan.FromSeconds(1), $"the application waited {wait.ElapsedMilliseconds} ms for a row of a committed batch");
        await tx.CommitAsync();

        await cli.WaitForExitAsync();
        var all = await stdout + await stderr;
        Assert.True(cli.ExitCode == 0, all);
        Assert.Equal(0, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {layout.Table} WHERE touched <> 1"));
        Assert.Equal(0, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {layout.Table} WHERE n2 IS DISTINCT FROM n * 2"));
        await AssertEqualsControlAsync(layout);
    }

    private static async Task<(bool Done, string Skipped)?> StateAsync(string state)
    {
        try
        {
            await using var connection = await PgServer.OpenAsync();
            await using var query = new Npgsql.NpgsqlCommand($"SELECT done, skipped::text FROM {state}", connection);
            await using var reader = await query.ExecuteReaderAsync();
            return await reader.ReadAsync() ? (reader.GetBoolean(0), reader.GetString(1)) : null;
        }
        catch (Npgsql.PostgresException error) when (error.SqlState == "42P01")
        {
            return null;
        }
    }

    [Fact]
    public async Task Backfill_dry_run_changes_nothing_and_bad_input_is_refused_with_exit_21_and_changes_nothing()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = await ExpandAsync(schema);
        var before = await PgServer.ScalarAsync<string>(Checksum(layout.Table));

        var (exit, result, all) = await RunAsync(Args(schema, "--where", "n2 IS NULL"));
        Assert.True(exit == 0, all);
        Assert.Equal("dry-run", result.GetProperty("outcome").GetString());
        Assert.True(result.GetProperty("estimated_batches").GetInt64() > 0, all);
        Assert.Contains(result.GetProperty("plan").EnumerateArray(), p => p.GetProperty("sql").GetString()!.Contains("FOR UPDATE SKIP LOCKED", StringComparison.Ordinal) && p.GetProperty("lock").GetString()!.Contains("lock_timeout", StringComparison.Ordinal));

        foreach (var (set, where, expected) in new[]
        {
            ("nope = 1", (string?)null, "nope"),
            ("n2 = n *", null, "syntax"),
            ("n2 = n * 2", "missing_column IS NULL", "missing_column"),
            ("n2 = 'text'", null, "bigint"),
            ("n2 = n * 2; DROP TABLE orders", null, "';'"),
        })
        {
            string[] bad = ["backfill", "--dsn", PgServer.Dsn(), "--table", $"{schema.Name}.orders", "--set", set, "--execute", "--output", "json", "--journal", "none", .. where is null ? Array.Empty<string>() : ["--where", where]];
            var (code, refusal, text) = await RunAsync(bad);
            Assert.True(code == ExitCodes.BackfillRejected, $"{set}: {text}");
            Assert.Contains(expected, refusal.GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        }

        await PgServer.ExecAsync($"ALTER TABLE {layout.Table} DROP CONSTRAINT orders_pkey");
        await PgServer.ExecAsync($"DROP INDEX {schema.Q}.orders_email_idx");
        var (noKey, _, noKeyText) = await RunAsync(Args(schema));
        Assert.True(noKey == ExitCodes.NoUsableKey, noKeyText);

        Assert.Equal(before, await PgServer.ScalarAsync<string>(Checksum(layout.Table)));
        Assert.Equal(0, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_tables WHERE schemaname = '{schema.Name}' AND tablename LIKE '\\_orders\\_%'"));
    }

    private static async Task<PgTableLayout> ExpandAsync(PgSchemaScope schema)
    {
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(SeedRows);
        // Expand: the new column (and what the tests count with); the dual write keeps new writes right.
        await PgServer.ExecAsync($"""
            ALTER TABLE {layout.Table} ADD COLUMN n2 bigint, ADD COLUMN touched integer NOT NULL DEFAULT 0, ADD COLUMN touched_at timestamp;
            ALTER TABLE {layout.Control} ADD COLUMN n2 bigint;
            CREATE FUNCTION {schema.Q}.dual_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.n2 := NEW.n * 2; RETURN NEW; END $$;
            CREATE TRIGGER dual_write BEFORE INSERT OR UPDATE ON {layout.Table} FOR EACH ROW EXECUTE FUNCTION {schema.Q}.dual_write();
            """);
        return layout;
    }

    /// <summary>A table of every key a writer's UPDATE of id moved a row to.</summary>
    private static async Task<string> LogKeyMovesAsync(PgSchemaScope schema, PgTableLayout layout)
    {
        var moved = $"{schema.Q}.moved";
        await PgServer.ExecAsync($"""
            CREATE TABLE {moved} (id bigint);
            CREATE FUNCTION {schema.Q}.log_move() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO {moved} VALUES (NEW.id); RETURN NULL; END $$;
            CREATE TRIGGER log_move AFTER UPDATE OF id ON {layout.Table} FOR EACH ROW WHEN (OLD.id <> NEW.id) EXECUTE FUNCTION {schema.Q}.log_move();
            """);
        return moved;
    }

    private static string[] Args(PgSchemaScope schema, params string[] more) =>
        ["backfill", "--dsn", PgServer.Dsn(), "--table", $"{schema.Name}.orders", "--set", "n2 = n * 2, touched = touched + 1, touched_at = clock_timestamp()",
         "--verify", "n2 IS DISTINCT FROM n * 2", "--batch-time", "100ms", "--output", "json", "--journal", "none", .. more];

    private static string Checksum(string table) =>
        $"SELECT count(*)::text || ':' || coalesce(sum(hashtextextended(ROW(id, email, n::bigint, doc, at, amount, body, n2)::text, 0)::numeric), 0)::text FROM {table}";

    /// <summary>The contract's last step on the control: the same --set in one statement; then both must be equal.</summary>
    private static async Task AssertEqualsControlAsync(PgTableLayout layout)
    {
        await PgServer.ExecAsync($"UPDATE {layout.Control} SET n2 = n * 2");
        Assert.Equal(await PgServer.ScalarAsync<string>(Checksum(layout.Control)), await PgServer.ScalarAsync<string>(Checksum(layout.Table)));
    }

    private static async Task<long> BatchesAsync(string state)
    {
        try
        {
            return await PgServer.ScalarAsync<long>($"SELECT coalesce(max(batches), 0) FROM {state}");
        }
        catch (Npgsql.PostgresException error) when (error.SqlState == "42P01")
        {
            return 0;
        }
    }

    internal static async Task<(int Exit, JsonElement Result, string All)> RunAsync(string[] args)
    {
        using var process = PgCliProcessTests.StartCli(args);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.Contains("\"type\":\"result\"", StringComparison.Ordinal)) ?? "{}";
        return (process.ExitCode, JsonDocument.Parse(last).RootElement.Clone(), stdout + await stderr);
    }
}
