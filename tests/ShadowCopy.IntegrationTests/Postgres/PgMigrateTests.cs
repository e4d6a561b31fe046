using System.Text.Json;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres;
using ShadowCopy.Core.Engine;
using ShadowCopy.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// <c>shadowcopy migrate</c> through the real executable: a file that expands and contracts at once
/// is refused untouched; a mixed file applied under four writers mirrored into a control table
/// ends equal to the control, each statement by its expected method; a failure mid-file stops,
/// says what is done and not, and --resume finishes the rest.
/// </summary>
[Collection("postgres")]
public sealed class PgMigrateTests(ITestOutputHelper output) : IDisposable
{
    private const long SeedRows = 100_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("sc-migrate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Migrate_add_and_drop_in_one_file_is_refused_with_exit_23_and_changes_nothing()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(1_000);
        var catalog = await PgCatalogSnapshot.TakeAsync(schema.Name);
        var checksum = await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table));
        var file = Write("expand_and_contract.sql", $"""
            ALTER TABLE {layout.Table} ADD COLUMN email_lower text;
            ALTER TABLE {layout.Table} DROP COLUMN body;
            """);

        foreach (var mode in new[] { "--execute", "--output" })
        {
            var (exit, result, all) = await RunAsync(Args(file, mode == "--execute" ? ["--execute"] : []));
            Assert.True(exit == ExitCodes.MigrationRefused, all);
            var refusal = Assert.Single(result.GetProperty("refusals").EnumerateArray()).GetString()!;
            Assert.Contains("[expand-and-contract-together]", refusal, StringComparison.Ordinal);
            Assert.Contains("separate migrations", refusal, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", all, StringComparison.Ordinal);
        }

        Assert.Equal(catalog, await PgCatalogSnapshot.TakeAsync(schema.Name));
        Assert.Equal(checksum, await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
        Assert.False(await StateTableExistsAsync());
    }

    [Fact]
    public async Task Migrate_expand_and_contract_in_two_files_are_two_migrations_not_refused_and_run_in_order()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(1_000);
        var expand = Write("001_expand.sql", $"ALTER TABLE {layout.Table} ADD COLUMN email_lower text;");
        var contract = Write("002_contract.sql", $"ALTER TABLE {layout.Table} DROP COLUMN body;");
        string[] Run(params string[] more) => ["migrate", "--dsn", PgServer.Dsn(), expand, contract, "--output", "json", "--journal", "none", .. more];

        // The ADD+DROP refusal is per file: as two files the same statements plan without a refusal.
        var (dry, plan, dryText) = await RunAsync(Run());
        Assert.True(dry == 0, dryText);
        Assert.Equal("dry-run", plan.GetProperty("outcome").GetString());
        Assert.Equal([(1, expand), (2, contract)], plan.GetProperty("steps").EnumerateArray().Select(s => (s.GetProperty("statement").GetInt32(), s.GetProperty("file").GetString())));
        Assert.Equal(1, await ColumnsAsync(schema, "orders", "body"));

        var (exit, result, all) = await RunAsync(Run("--execute"));
        Assert.True(exit == 0, all);
        Assert.Equal([1, 2], result.GetProperty("done").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(1, await ColumnsAsync(schema, "orders", "email_lower"));
        Assert.Equal(0, await ColumnsAsync(schema, "orders", "body"));
        Assert.False(await StateTableExistsAsync());
    }

    [Fact]
    public async Task Migrate_mixed_file_under_load_equals_the_control_and_uses_the_expected_method_per_statement()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(SeedRows);
        var file = Write("mixed.sql", $"""
            SET lock_timeout = '3s';
            ALTER TABLE {layout.Table} ADD COLUMN note text;
            ALTER TABLE {layout.Table} ALTER COLUMN n TYPE bigint;
            CREATE INDEX orders_amount_idx ON {layout.Table} (amount);
            """);
        await using var load = new PgWriterLoad(layout, writers: 4);
        await load.StartAsync(SeedRows);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));

        // --native-under 0s: the rewrite goes to the online copy whatever this machine's copy rate.
        var (exit, result, all) = await RunAsync(Args(file, ["--execute", "--native-under", "0s", "--chunk-time", "100ms"]));
        await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(20));
        await load.StopAsync();

        Assert.True(exit == 0, all);
        var methods = result.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("method").GetString()).ToList();
        Assert.Equal(["skip", "native", "online-copy", "concurrent-index"], methods);
        Assert.All(result.GetProperty("steps").EnumerateArray(), s => Assert.Equal("done", s.GetProperty("status").GetString()));
        output.WriteLine($"{result.GetProperty("duration_seconds").GetDouble()} s, writer ops {load.Operations}");
        Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
        Assert.Equal(await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)), await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
        Assert.Equal("bigint", await PgServer.ScalarAsync<string>($"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{layout.Table}'::regclass AND attname = 'n'"));
        Assert.Equal(1, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_attribute WHERE attrelid = '{layout.Table}'::regclass AND attname = 'note' AND NOT attisdropped"));
        Assert.True(await PgServer.ScalarAsync<bool>($"SELECT indisvalid FROM pg_index WHERE indexrelid = '{schema.Q}.orders_amount_idx'::regclass"));
        Assert.False(await StateTableExistsAsync());
    }

    [Fact]
    public async Task Migrate_failure_mid_file_stops_lists_done_and_not_done_and_resume_finishes_the_rest()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var orders = schema.Table("orders");
        var other = schema.Table("other");
        await PgServer.ExecAsync($"CREATE TABLE {orders} (id bigint PRIMARY KEY, n int); CREATE TABLE {other} (id bigint PRIMARY KEY); INSERT INTO {orders} SELECT g, g FROM generate_series(1, 1000) g");
        var file = Write("blocked.sql", $"""
            ALTER TABLE {orders} ADD COLUMN a text;
            ALTER TABLE {other} ADD COLUMN b text;
            ALTER TABLE {orders} ADD COLUMN c text;
            """);

        // A long transaction holds other: statement 2 cannot get its lock within its attempts.
        await using (var blocker = await PgServer.OpenAsync())
        {
            await using (var begin = new Npgsql.NpgsqlCommand($"BEGIN; LOCK TABLE {other} IN ACCESS SHARE MODE", blocker))
            {
                await begin.ExecuteNonQueryAsync();
            }

            var (exit, result, all) = await RunAsync(Args(file, ["--execute", "--lock-timeout", "200ms", "--lock-attempts", "2"]));
            Assert.True(exit == ExitCodes.MigrationStepFailed, all);
            Assert.Equal([1], result.GetProperty("done").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal([2, 3], result.GetProperty("not_done").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal(2, result.GetProperty("failed_statement").GetInt32());
            Assert.Contains("lock", result.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
            Assert.Equal(1, await ColumnsAsync(schema, "orders", "a"));
            Assert.Equal(0, await ColumnsAsync(schema, "other", "b"));
            Assert.Equal(0, await ColumnsAsync(schema, "orders", "c"));
            Assert.True(await StateTableExistsAsync());

            // Without --resume the stopped migration is not started over.
            var (again, _, againText) = await RunAsync(Args(file, ["--execute"]));
            Assert.True(again == ExitCodes.Leftovers, againText);
        }

        var (resumed, final, text) = await RunAsync(Args(file, ["--execute", "--resume"]));
        Assert.True(resumed == 0, text);
        Assert.Equal([1, 2, 3], final.GetProperty("done").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(1, await ColumnsAsync(schema, "other", "b"));
        Assert.Equal(1, await ColumnsAsync(schema, "orders", "c"));
        Assert.False(await StateTableExistsAsync());
    }

    [Fact]
    public async Task Migrate_pause_before_stops_with_exit_60_and_resume_continues_from_there()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var orders = schema.Table("orders");
        await PgServer.ExecAsync($"CREATE TABLE {orders} (id bigint PRIMARY KEY, n int); INSERT INTO {orders} SELECT g, g FROM generate_series(1, 1000) g");
        var file = Write("gate.sql", $"""
            ALTER TABLE {orders} ADD COLUMN a text;
            CREATE INDEX orders_n_idx ON {orders} (n);
            """);

        var (paused, result, all) = await RunAsync(Args(file, ["--execute", "--pause-before", "2"]));
        Assert.True(paused == ExitCodes.MigrationPaused, all);
        Assert.Equal([1], result.GetProperty("done").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(0L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_indexes WHERE schemaname = '{schema.Name}' AND indexname = 'orders_n_idx'"));

        var (resumed, _, text) = await RunAsync(Args(file, ["--execute", "--resume", "--pause-before", "2"]));
        Assert.True(resumed == 0, text);
        Assert.Equal(1L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_indexes WHERE schemaname = '{schema.Name}' AND indexname = 'orders_n_idx'"));
        Assert.False(await StateTableExistsAsync());
    }

    [Fact]
    public async Task Migrate_online_copy_step_waits_at_a_postponed_cut_over_until_the_flag_file_is_removed()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var orders = schema.Table("orders");
        await PgServer.ExecAsync($"CREATE TABLE {orders} (id bigint PRIMARY KEY, n int); INSERT INTO {orders} SELECT g, g FROM generate_series(1, 1000) g");
        var file = Write("postponed.sql", $"""
            ALTER TABLE {orders} ADD COLUMN a text;
            ALTER TABLE {orders} ALTER COLUMN n TYPE bigint;
            """);
        var flag = Path.Combine(_dir, "postpone");
        File.WriteAllText(flag, string.Empty);

        using var process = PgCliProcessTests.StartCli(Args(file, ["--execute", "--native-under", "0s", "--postpone-cut-over-flag-file", flag]));
        var stderr = process.StandardError.ReadToEndAsync();
        var postponed = false;
        while (!postponed && await process.StandardOutput.ReadLineAsync() is { } line)
        {
            postponed = line.Contains("\"type\":\"phase\"", StringComparison.Ordinal) && line.Contains("\"to\":\"postponed\"", StringComparison.Ordinal);
        }

        if (!postponed)
        {
            Assert.Fail("the online-copy step never reached its postponed cut-over: " + await stderr);
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(process.HasExited);
        Assert.Equal("integer", await PgServer.ScalarAsync<string>($"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{orders}'::regclass AND attname = 'n'"));

        File.Delete(flag);
        var rest = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, rest + await stderr);
        Assert.Equal("bigint", await PgServer.ScalarAsync<string>($"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{orders}'::regclass AND attname = 'n'"));
    }

    [Fact]
    public async Task Migrate_SIGKILLed_in_the_online_copy_step_resumes_it_without_redoing_statement_1_and_equals_the_control()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(SeedRows);
        var file = Write("killed.sql", $"""
            ALTER TABLE {layout.Table} ADD COLUMN note text;
            ALTER TABLE {layout.Table} ALTER COLUMN n TYPE bigint;
            CREATE INDEX orders_amount_idx ON {layout.Table} (amount);
            """);
        var alterState = $"{schema.Q}.{PgServer.Q("_orders_state")}";
        var firstJournal = Path.Combine(_dir, "first.jsonl");
        var secondJournal = Path.Combine(_dir, "second.jsonl");
        string[] Run(string journal, params string[] more) =>
            ["migrate", "--dsn", PgServer.Dsn(), file, "--output", "json", "--journal", journal, "--execute", "--native-under", "0s",
             "--chunk-size", "500", "--max-chunk-size", "2000", "--chunk-time", "100ms", "--checkpoint-interval", "300ms", .. more];
        try
        {
            await using var load = new PgWriterLoad(layout, writers: 4);
            await load.StartAsync(SeedRows);
            await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));

            // SIGKILL inside statement 2's online copy, once its checkpoint has 30,000 rows.
            using (var first = PgCliProcessTests.StartCli(Run(firstJournal, "--max-rows-per-second", "8000")))
            {
                await CliProcess.KillWhenAsync(first, () => CopiedRowsAsync(alterState), 30_000, TimeSpan.FromSeconds(90), "statement 2 never checkpointed its copy");
            }

            // The killed run: statement 1 done and checkpointed, statement 2 started and never finished.
            Assert.Equal(1, await PgServer.ScalarAsync<int>($"SELECT done FROM _shadowcopy_migrate_state WHERE files LIKE '{Path.GetFileName(_dir)}%'"));
            MigrateJournal.AssertKilledInStatement2(firstJournal);
            Assert.Equal("integer", await TypeOfNAsync(layout.Table));
            var atKill = await CopiedRowsAsync(alterState);

            var (exit, result, all) = await RunAsync(Run(secondJournal, "--resume"));
            await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(20));
            await load.StopAsync();

            MigrateJournal.AssertResumedInStatement2(exit, result, all, secondJournal, "concurrent-index");
            output.WriteLine($"killed with {atKill} rows of statement 2 checkpointed; resumed migration {result.GetProperty("duration_seconds").GetDouble()} s; writer ops {load.Operations}");
            Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
            Assert.Equal(await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)), await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
            Assert.Equal("bigint", await TypeOfNAsync(layout.Table));
            Assert.Equal(1, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_attribute WHERE attrelid = '{layout.Table}'::regclass AND attname = 'note' AND NOT attisdropped"));
            Assert.True(await PgServer.ScalarAsync<bool>($"SELECT indisvalid FROM pg_index WHERE indexrelid = '{schema.Q}.orders_amount_idx'::regclass"));
            await PgConcurrentAlterTests.AssertNoHelpersAsync(schema.Name, "orders");
            await PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, "orders");
            Assert.False(await StateTableExistsAsync());
        }
        finally
        {
            await PgCleanup.RunAsync(PgServer.Settings(), new TableName(schema.Name, "orders"), TimeSpan.FromSeconds(2), CancellationToken.None);
        }
    }

    private static Task<string> TypeOfNAsync(string table) =>
        PgServer.ScalarAsync<string>($"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{table}'::regclass AND attname = 'n'");

    private static async Task<long> CopiedRowsAsync(string state)
    {
        try
        {
            return await PgServer.ScalarAsync<long>($"SELECT coalesce(max(rows_copied), 0) FROM {state}");
        }
        catch (Npgsql.PostgresException error) when (error.SqlState == "42P01")
        {
            return 0;
        }
    }

    private string Write(string name, string sql)
    {
        var path = Path.Combine(_dir, $"{Path.GetFileName(_dir)}_{name}");
        File.WriteAllText(path, sql);
        return path;
    }

    private static string[] Args(string file, string[] more) => ["migrate", "--dsn", PgServer.Dsn(), file, "--output", "json", "--journal", "none", .. more];

    private static Task<long> ColumnsAsync(PgSchemaScope schema, string table, string column) =>
        PgServer.ScalarAsync<long>($"SELECT count(*) FROM information_schema.columns WHERE table_schema = '{schema.Name}' AND table_name = '{table}' AND column_name = '{column}'");

    /// <summary>This test's row in the checkpoint table (the table itself is shared by every migration of the schema).</summary>
    private async Task<bool> StateTableExistsAsync() =>
        await PgServer.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '_shadowcopy_migrate_state'") > 0
        && await PgServer.ScalarAsync<long>($"SELECT count(*) FROM _shadowcopy_migrate_state WHERE files LIKE '{Path.GetFileName(_dir)}%'") > 0;

    private static Task<(int Exit, JsonElement Result, string All)> RunAsync(string[] args) => PgBackfillTests.RunAsync(args);
}
