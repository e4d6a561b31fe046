using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// <c>shadowcopy migrate</c> on MariaDB through the real executable: a file that expands and
/// contracts at once is refused untouched; a mixed file applied under four writers mirrored into a
/// control table ends equal to the control, each statement by its expected method; a failure
/// mid-file stops, says what is done and not, and --resume finishes the rest.
/// </summary>
[Collection("mysql")]
public sealed class MyMigrateTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private const int Rows = 100_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("sc-migrate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Migrate_add_and_drop_in_one_file_is_refused_with_exit_23_and_changes_nothing()
    {
        var name = UniqueName("migref");
        try
        {
            var layout = new MyTableLayout(name);
            await layout.CreateAsync(1_000);
            var before = await SnapshotAsync(name);
            var file = Write("expand_and_contract.sql", $"""
                ALTER TABLE {layout.Table} ADD COLUMN email_lower VARCHAR(100) NULL;
                ALTER TABLE {layout.Table} DROP COLUMN body;
                """);

            foreach (var execute in new[] { true, false })
            {
                var (exit, result, all) = await RunAsync(Args(file, execute ? ["--execute"] : []));
                Assert.True(exit == ExitCodes.MigrationRefused, all);
                var refusal = Assert.Single(result.GetProperty("refusals").EnumerateArray()).GetString()!;
                Assert.Contains("[expand-and-contract-together]", refusal, StringComparison.Ordinal);
                Assert.DoesNotContain("   at ", all, StringComparison.Ordinal);
            }

            Assert.Equal(before, await SnapshotAsync(name));
            Assert.False(await StateRowAsync());
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Migrate_expand_and_contract_in_two_files_are_two_migrations_not_refused_and_run_in_order()
    {
        var name = UniqueName("migtwo");
        try
        {
            var layout = new MyTableLayout(name);
            await layout.CreateAsync(1_000);
            var expand = Write("001_expand.sql", $"ALTER TABLE {layout.Table} ADD COLUMN email_lower VARCHAR(100) NULL;");
            var contract = Write("002_contract.sql", $"ALTER TABLE {layout.Table} DROP COLUMN body;");
            string[] Run(params string[] more) => ["migrate", "--dsn", Dsn, expand, contract, "--output", "json", "--journal", "none", .. more];

            // The ADD+DROP refusal is per file: as two files the same statements plan without a refusal.
            var (dry, plan, dryText) = await RunAsync(Run());
            Assert.True(dry == 0, dryText);
            Assert.Equal("dry-run", plan.GetProperty("outcome").GetString());
            Assert.Equal([(1, expand), (2, contract)], plan.GetProperty("steps").EnumerateArray().Select(s => (s.GetProperty("statement").GetInt32(), s.GetProperty("file").GetString())));
            Assert.Equal("1", await ColumnsAsync(name, "body"));

            var (exit, result, all) = await RunAsync(Run("--execute"));
            Assert.True(exit == 0, all);
            Assert.Equal([1, 2], result.GetProperty("done").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal("1", await ColumnsAsync(name, "email_lower"));
            Assert.Equal("0", await ColumnsAsync(name, "body"));
            Assert.False(await StateRowAsync());
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Migrate_mixed_file_under_load_equals_the_control_and_uses_the_expected_method_per_statement()
    {
        var name = UniqueName("migmix");
        try
        {
            var layout = new MyTableLayout(name);
            await layout.CreateAsync(Rows);
            var file = Write("mixed.sql", $"""
                ALTER TABLE {layout.Table} ADD COLUMN note VARCHAR(40) NULL;
                ALTER TABLE {layout.Table} MODIFY n BIGINT NOT NULL;
                CREATE INDEX idx_amount ON {layout.Table} (amount);
                """);
            await using var load = new MyWriterLoad(layout, writers: 4);
            await load.StartAsync(Rows);
            await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));

            // --native-under 0s: the rewrite goes to the online copy whatever this machine's copy rate.
            var (exit, result, all) = await RunAsync(Args(file, ["--execute", "--native-under", "0s", "--chunk-time", "100ms"]));
            await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(20));
            await load.StopAsync();

            Assert.True(exit == 0, all);
            var methods = result.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("method").GetString()).ToList();
            Assert.Equal(["native", "online-copy", "online-index"], methods);
            Assert.Contains("ALGORITHM=INSTANT", result.GetProperty("steps")[0].GetProperty("runs").GetString(), StringComparison.Ordinal);
            Assert.Contains("LOCK=NONE", result.GetProperty("steps")[2].GetProperty("runs").GetString(), StringComparison.Ordinal);
            output.WriteLine($"{result.GetProperty("duration_seconds").GetDouble()} s, writer ops {load.Operations}, deadlocks {load.Deadlocks}");
            Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
            Assert.True(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)) == await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)), await layout.DiffAsync());
            Assert.Equal("bigint", await ScalarAsync($"SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 'n'"));
            Assert.Equal("1", await ScalarAsync($"SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 'note'"));
            Assert.NotEqual("0", await ScalarAsync($"SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND INDEX_NAME = 'idx_amount'"));
            Assert.False(await StateRowAsync());
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Migrate_failure_mid_file_stops_lists_done_and_not_done_and_resume_finishes_the_rest()
    {
        var name = UniqueName("migfail");
        var orders = $"{Q(Database)}.{Q(name)}";
        var other = $"{Q(Database)}.{Q(name + "_other")}";
        try
        {
            await ExecAsync($"CREATE TABLE {orders} (id BIGINT PRIMARY KEY, n INT) ENGINE=InnoDB");
            await ExecAsync($"CREATE TABLE {other} (id BIGINT PRIMARY KEY) ENGINE=InnoDB");
            await ExecAsync($"INSERT INTO {orders} SELECT seq, seq FROM seq_1_to_1000");
            var file = Write("blocked.sql", $"""
                ALTER TABLE {orders} ADD COLUMN a VARCHAR(10) NULL;
                ALTER TABLE {other} ADD COLUMN b VARCHAR(10) NULL;
                ALTER TABLE {orders} ADD COLUMN c VARCHAR(10) NULL;
                """);

            // A long transaction holds a metadata lock on other: statement 2 cannot get its lock within its attempts.
            await using (var blocker = await OpenAsync())
            {
                await blocker.ExecuteAsync("START TRANSACTION");
                await blocker.QueryAsync($"SELECT * FROM {other}");

                var (exit, result, all) = await RunAsync(Args(file, ["--execute", "--lock-timeout", "1s", "--lock-attempts", "2"]));
                Assert.True(exit == ExitCodes.MigrationStepFailed, all);
                Assert.Equal([1], result.GetProperty("done").EnumerateArray().Select(e => e.GetInt32()));
                Assert.Equal([2, 3], result.GetProperty("not_done").EnumerateArray().Select(e => e.GetInt32()));
                Assert.Equal(2, result.GetProperty("failed_statement").GetInt32());
                Assert.Equal("1", await ColumnsAsync(name, "a"));
                Assert.Equal("0", await ColumnsAsync(name + "_other", "b"));
                Assert.Equal("0", await ColumnsAsync(name, "c"));
                Assert.True(await StateRowAsync());

                var (again, _, againText) = await RunAsync(Args(file, ["--execute"]));
                Assert.True(again == ExitCodes.Leftovers, againText);
                await blocker.ExecuteAsync("COMMIT");
            }

            var (resumed, final, text) = await RunAsync(Args(file, ["--execute", "--resume"]));
            Assert.True(resumed == 0, text);
            Assert.Equal([1, 2, 3], final.GetProperty("done").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal("1", await ColumnsAsync(name + "_other", "b"));
            Assert.Equal("1", await ColumnsAsync(name, "c"));
            Assert.False(await StateRowAsync());
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Migrate_SIGKILLed_in_the_online_copy_step_resumes_it_without_redoing_statement_1_and_equals_the_control()
    {
        var name = UniqueName("migkill");
        try
        {
            var layout = new MyTableLayout(name);
            await layout.CreateAsync(Rows);
            var file = Write("killed.sql", $"""
                ALTER TABLE {layout.Table} ADD COLUMN note VARCHAR(40) NULL;
                ALTER TABLE {layout.Table} MODIFY n BIGINT NOT NULL;
                CREATE INDEX idx_amount ON {layout.Table} (amount);
                """);
            var alterState = $"{Q(Database)}.{Q($"_{name}_state")}";
            var firstJournal = Path.Combine(_dir, "first.jsonl");
            var secondJournal = Path.Combine(_dir, "second.jsonl");
            string[] Run(string journal, params string[] more) =>
                ["migrate", "--dsn", Dsn, file, "--output", "json", "--journal", journal, "--execute", "--native-under", "0s",
                 "--chunk-size", "1000", "--chunk-time", "100ms", "--checkpoint-interval", "300ms", .. more];
            await using var load = new MyWriterLoad(layout, writers: 4);
            await load.StartAsync(Rows);
            await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));

            // SIGKILL inside statement 2's online copy, once its checkpoint has 30,000 rows.
            using (var first = MyCli.Start(Run(firstJournal, "--max-rows-per-second", "8000")))
            {
                await CliProcess.KillWhenAsync(first, () => CopiedRowsAsync(alterState), 30_000, TimeSpan.FromSeconds(90), "statement 2 never checkpointed its copy");
            }

            // The server finishes a statement whose client died (a chunk copy in flight): wait for it.
            for (var wait = 0; wait < 100 && await ScalarAsync($"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE {Lit($"%\\_{name}\\_%")} AND INFO NOT LIKE '%PROCESSLIST%'") != "0"; wait++)
            {
                await Task.Delay(100);
            }

            // The killed run: statement 1 done and checkpointed, statement 2 started and never finished.
            Assert.Equal("1", await ScalarAsync($"SELECT done FROM {Q(Database)}.`_shadowcopy_migrate_state` WHERE files LIKE {Lit(Path.GetFileName(_dir) + "%")}"));
            MigrateJournal.AssertKilledInStatement2(firstJournal);
            Assert.Equal("int", await TypeOfNAsync(name));
            var atKill = await CopiedRowsAsync(alterState);

            var (exit, result, all) = await RunAsync(Run(secondJournal, "--resume"));
            await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(20));
            await load.StopAsync();

            MigrateJournal.AssertResumedInStatement2(exit, result, all, secondJournal, "online-index");
            output.WriteLine($"killed with {atKill} rows of statement 2 checkpointed; resumed migration {result.GetProperty("duration_seconds").GetDouble()} s; writer ops {load.Operations}, deadlocks {load.Deadlocks}");
            Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
            Assert.True(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)) == await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)), await layout.DiffAsync());
            Assert.Equal("bigint", await TypeOfNAsync(name));
            Assert.Equal("1", await ColumnsAsync(name, "note"));
            Assert.NotEqual("0", await ScalarAsync($"SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND INDEX_NAME = 'idx_amount'"));
            Assert.Empty(MyResumeTests.Helpers(await ObjectsAsync(name)));
            Assert.False(await StateRowAsync());
        }
        finally
        {
            await DropAsync(name);
        }
    }

    private static Task<string?> TypeOfNAsync(string table) =>
        ScalarAsync($"SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(table)} AND COLUMN_NAME = 'n'");

    private static async Task<long> CopiedRowsAsync(string state)
    {
        try
        {
            return long.Parse(await ScalarAsync($"SELECT COALESCE(MAX(rows_copied), 0) FROM {state}") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (ShadowCopy.MySql.Protocol.MySqlServerException)
        {
            return 0; // no checkpoint yet
        }
    }

    private string Write(string name, string sql)
    {
        var path = Path.Combine(_dir, $"{Path.GetFileName(_dir)}_{name}");
        File.WriteAllText(path, sql);
        return path;
    }

    private static string[] Args(string file, string[] more) => ["migrate", "--dsn", Dsn, file, "--output", "json", "--journal", "none", .. more];

    private static Task<string?> ColumnsAsync(string table, string column) =>
        ScalarAsync($"SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(table)} AND COLUMN_NAME = {Lit(column)}");

    /// <summary>This test's row in the checkpoint table (the table itself is shared by every migration of the database).</summary>
    private async Task<bool> StateRowAsync() =>
        await ScalarAsync($"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = '_shadowcopy_migrate_state'") != "0"
        && await ScalarAsync($"SELECT COUNT(*) FROM {Q(Database)}.`_shadowcopy_migrate_state` WHERE files LIKE {Lit(Path.GetFileName(_dir) + "%")}") != "0";

    private static Task<(int Exit, JsonElement Result, string All)> RunAsync(string[] args) => MyBackfillTests.RunAsync(args);
}
