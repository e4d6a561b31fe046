using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.MySql;
using ShadowCopy.MySql;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.Revert;

/// <summary>
/// alter --revertible on MariaDB (both capture modes), then revert or finish in a process of its own,
/// while writers mirror every change into a control table (ADR 0031).
/// </summary>
[Collection("mysql")]
public sealed class MyRevertTests
{
    private const long Rows = 20_000;

    [Theory]
    [InlineData(CaptureMode.Trigger, false)]
    [InlineData(CaptureMode.Binlog, false)]
    [InlineData(CaptureMode.Trigger, true)]
    public async Task Revertible_alter_then_writes_then_revert_or_finish_then_writes_equals_the_control(CaptureMode capture, bool finish)
    {
        var name = UniqueName("rev");
        var layout = new MyTableLayout(name);
        try
        {
            await using var load = await AlterRevertibleUnderWritesAsync(layout, capture);

            var (exit, output) = await RevertCli.MyAsync(finish ? "finish" : "revert", "--table", name, "--execute");
            Assert.True(exit == 0, output);
            var atRevert = load.Operations;
            await load.WaitForOperationsAsync(atRevert + 300, TimeSpan.FromSeconds(30));
            await load.StopAsync();

            Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
            Assert.True(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)) == await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)), await layout.DiffAsync());
            Assert.Equal(finish ? "bigint(20)" : "int(11)", await ScalarAsync($"SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 'n'"));
            // Nothing of the reverse capture is left; revert keeps the new shape as _<t>_old, finish drops it.
            Assert.Equal(finish ? [name, name + "_ctl"] : ["_" + name + "_old", name, name + "_ctl"], await ObjectsAsync(name));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>
    /// kill -9 inside revert, at its most exposed point: the RENAME back is done (the table has its old
    /// shape and serves the writers), the reverse triggers are dropped, but the helper tables are not
    /// (a reader holds the misfit table). The dry run says so, finish refuses, a rerun of revert
    /// completes it; the table equals the control and nothing of the reverse capture is left.
    /// </summary>
    [Fact]
    public async Task Revert_SIGKILLed_after_its_swap_back_then_a_rerun_completes_and_equals_the_control()
    {
        var name = UniqueName("revkill");
        var layout = new MyTableLayout(name);
        try
        {
            await using var load = await AlterRevertibleUnderWritesAsync(layout, CaptureMode.Binlog);

            var (exit, output) = await RevertCli.MyAsync("revert", "--table", name);
            Assert.True(exit == 0, output);
            Assert.Contains("behind: 0 rows", output, StringComparison.Ordinal);
            Assert.Contains("held: none", output, StringComparison.Ordinal);
            Assert.Contains("revertible: since ", output, StringComparison.Ordinal);

            var dropping = $"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE {Lit($"DROP TABLE IF EXISTS %_{name}_rmiss%")}";
            await using (var holder = await OpenAsync())
            {
                await holder.ExecuteAsync("START TRANSACTION");
                await holder.QueryAsync($"SELECT COUNT(*) FROM {Q(Database)}.{Q($"_{name}_rmiss")}");
                await RevertCli.KillWhenAsync(RevertCli.StartMy("revert", "--table", name, "--execute"), async () => await ScalarAsync(dropping) != "0", "revert never reached the removal of its helper tables");
                // The killed session's DROP ends with its lock wait; only then may the reader go (or the DROP would still run).
                await RevertCli.WaitUntilAsync(async () => await ScalarAsync(dropping) == "0", "the killed revert's DROP is still waiting");
                await holder.ExecuteAsync("COMMIT");
            }

            // Swapped back already, the reverse capture half removed.
            Assert.Equal("int(11)", await ScalarAsync($"SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 'n'"));
            Assert.Contains($"_{name}_rstate", await ObjectsAsync(name));
            await load.WaitForOperationsAsync(load.Operations + 200, TimeSpan.FromSeconds(30));
            (exit, output) = await RevertCli.MyAsync("revert", "--table", name);
            Assert.True(exit == 0, output);
            Assert.Contains("already swapped the table back", output, StringComparison.Ordinal);
            (exit, output) = await RevertCli.MyAsync("finish", "--table", name, "--execute");
            Assert.True(exit == ExitCodes.RevertNotPossible, output);
            Assert.Contains("run `shadowcopy revert --execute` to complete it", output, StringComparison.Ordinal);

            (exit, output) = await RevertCli.MyAsync("revert", "--table", name, "--execute");
            Assert.True(exit == 0, output);
            Assert.Contains("the interrupted revert is complete", output, StringComparison.Ordinal);
            await load.WaitForOperationsAsync(load.Operations + 200, TimeSpan.FromSeconds(30));
            await load.StopAsync();

            Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
            Assert.True(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)) == await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)), await layout.DiffAsync());
            Assert.Equal("int(11)", await ScalarAsync($"SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 'n'"));
            Assert.Equal(["_" + name + "_old", name, name + "_ctl"], await ObjectsAsync(name));
            (exit, output) = await RevertCli.MyAsync("revert", "--table", name, "--execute");
            Assert.True(exit == ExitCodes.RevertNotPossible, output);
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>
    /// What the reverse capture cannot carry back yet is refused before anything is created: exit 18,
    /// one sentence naming why, and the server exactly as it was (tables, triggers, checksums).
    /// </summary>
    [Theory]
    [InlineData("trigger", "it has triggers of its own")]
    [InlineData("child", "it takes part in foreign keys")]
    [InlineData("parent", "it takes part in foreign keys")]
    public async Task Revertible_alter_of_a_table_it_cannot_carry_back_is_refused_with_exit_18_and_changes_nothing(string kind, string why)
    {
        var name = UniqueName("revno");
        var other = name + "_o";
        try
        {
            await ExecAsync($"CREATE TABLE {Q(name)} (id BIGINT PRIMARY KEY, r BIGINT NULL, s VARCHAR(5)) ENGINE=InnoDB");
            await ExecAsync($"CREATE TABLE {Q(other)} (id BIGINT PRIMARY KEY, r BIGINT NULL) ENGINE=InnoDB");
            await ExecAsync($"INSERT INTO {Q(name)} SELECT seq, NULL, CONCAT('v', seq) FROM seq_1_to_100");
            await ExecAsync(kind switch
            {
                "trigger" => $"CREATE TRIGGER {Q(name + "_t")} BEFORE INSERT ON {Q(name)} FOR EACH ROW SET NEW.s = UPPER(NEW.s)",
                "child" => $"ALTER TABLE {Q(name)} ADD CONSTRAINT {Q(name + "_fk")} FOREIGN KEY (r) REFERENCES {Q(other)} (id)",
                _ => $"ALTER TABLE {Q(other)} ADD CONSTRAINT {Q(name + "_fk")} FOREIGN KEY (r) REFERENCES {Q(name)} (id)",
            });
            var before = await SnapshotAsync(name);

            var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, "MODIFY s VARCHAR(50)") with { Revertible = true }, CaptureMode.Trigger);

            Assert.True(result.ExitCode == ExitCodes.UnsupportedTable, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal($"--revertible cannot keep {Database}.{name} revertible: {why} (carrying them back is not supported yet). Nothing was changed.", result.Message);
            Assert.Equal(before, await SnapshotAsync(name));
        }
        finally
        {
            await using var connection = await OpenAsync();
            await connection.ExecuteAsync("SET SESSION foreign_key_checks = 0");
            await connection.ExecuteAsync($"DROP TABLE IF EXISTS {Q(Database)}.{Q(other)}, {Q(Database)}.{Q(name)}");
        }
    }

    [Fact]
    public async Task Revert_with_a_widened_value_that_does_not_fit_refuses_naming_the_key_and_changes_nothing()
    {
        var name = UniqueName("revfit");
        try
        {
            await ExecAsync($"CREATE TABLE {Q(name)} (id BIGINT PRIMARY KEY, s VARCHAR(5)) ENGINE=InnoDB");
            await ExecAsync($"INSERT INTO {Q(name)} SELECT seq, CONCAT('v', seq) FROM seq_1_to_100");
            var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, "MODIFY s VARCHAR(50)") with { Revertible = true }, CaptureMode.Trigger);
            Assert.True(result.ExitCode == ExitCodes.Success, result.Message);

            // The writer's statement succeeds although the old shape cannot hold the value.
            await ExecAsync($"UPDATE {Q(name)} SET s = 'much too long' WHERE id = 42");
            var (exit, output) = await RevertCli.MyAsync("revert", "--table", name, "--execute");
            Assert.Equal(ExitCodes.RevertNotPossible, exit);
            Assert.Contains("[42]", output, StringComparison.Ordinal);
            Assert.Equal("varchar(50)", await ScalarAsync($"SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 's'"));

            await ExecAsync($"UPDATE {Q(name)} SET s = 'ok' WHERE id = 42");
            (exit, output) = await RevertCli.MyAsync("revert", "--table", name, "--execute");
            Assert.True(exit == 0, output);
            Assert.Equal("varchar(5)", await ScalarAsync($"SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 's'"));
            Assert.Equal("ok", await ScalarAsync($"SELECT s FROM {Q(name)} WHERE id = 42"));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>The table under 4 writers mirrored into the control, altered with --revertible, then 300 more writes.</summary>
    private static async Task<MyWriterLoad> AlterRevertibleUnderWritesAsync(MyTableLayout layout, CaptureMode capture)
    {
        await layout.CreateAsync(Rows);
        var load = new MyWriterLoad(layout, writers: 4);
        await load.StartAsync(Rows);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
        var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(layout.Name, "MODIFY n BIGINT NOT NULL, ADD COLUMN note VARCHAR(20) NULL DEFAULT 'n/a'") with { Revertible = true }, capture);
        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        await load.WaitForOperationsAsync(load.Operations + 300, TimeSpan.FromSeconds(30));
        return load;
    }
}
