using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.State;
using ShadowCopy.Core.Verification;
using ShadowCopy.Postgres;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Revert;

/// <summary>
/// alter --revertible, then revert or finish in a process of its own (the alter's is gone: the state
/// table is all it has), while writers mirror every change into a control table (ADR 0031).
/// </summary>
[Collection("postgres")]
public sealed class PgRevertTests
{
    private const long SeedRows = 20_000;
    private const string Alter = "ADD COLUMN note text DEFAULT 'n/a', ALTER COLUMN n TYPE bigint";

    [Theory]
    [InlineData("trigger", false)]
    [InlineData("logical", false)]
    [InlineData("trigger", true)]
    public async Task Revertible_alter_then_writes_then_revert_or_finish_then_writes_equals_the_control(string capture, bool finish)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await using var load = await AlterRevertibleUnderWritesAsync(layout, capture);

        var table = $"{schema.Name}.orders";
        var (exit, output) = finish ? await RevertCli.PgAsync("finish", "--table", table, "--execute") : await RevertCli.PgAsync("revert", "--table", table, "--execute");
        Assert.True(exit == 0, output);
        var atRevert = load.Operations;
        await load.WaitForOperationsAsync(atRevert + 300, TimeSpan.FromSeconds(30));
        await load.StopAsync();

        Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
        Assert.Equal(await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)), await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
        Assert.Equal(finish ? "bigint" : "integer", await ColumnTypeAsync(schema.Name, "orders", "n"));
        Assert.Equal(finish ? 1 : 0, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM information_schema.columns WHERE table_schema = '{schema.Name}' AND table_name = 'orders' AND column_name = 'note'"));
        // The reverse capture is gone; revert keeps the new shape as _orders_old, finish drops it.
        Assert.Equal(finish ? ["orders", "orders_control"] : ["_orders_old", "orders", "orders_control"], await RelationsAsync(schema.Name));
        Assert.Equal(0, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '{schema.Name}'"));
        Assert.Equal(0, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema.Name}' AND NOT t.tgisinternal"));
        if (!finish)
        {
            // The original's own index names and the serial sequence came back with it.
            Assert.Contains("orders_pkey", await NamesAsync($"SELECT indexname FROM pg_indexes WHERE schemaname = '{schema.Name}' AND tablename = 'orders'"));
            Assert.Equal($"{schema.Name}.orders_id_seq", await PgServer.ScalarAsync<string>($"SELECT pg_get_serial_sequence('{schema.Name}.orders', 'id')"));
        }
    }

    [Theory]
    [InlineData("trigger", true)]
    [InlineData("logical", false)]
    public async Task Revertible_alter_killed_right_after_the_swap_then_writes_then_resume_and_revert_equals_the_control(string capture, bool resumeFirst)
    {
        // The tool dies right after the swap's commit: only the cut-over transaction recorded the swap
        // and installed the reverse capture. Writes go on; once --resume has finished the cleanup a
        // revert must still bring every one of them back.
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(5_000);
        var captureOptions = PgAlterHarness.Logical with { Mode = capture };
        var options = PgAlterHarness.Options(schema.Name, "orders", Alter) with { Revertible = true };
        await using (var backend = new PgAlterBackend(PgServer.Settings(), options, NullLogger.Instance, captureOptions))
        {
            var rows = await BackendSteps.CopyEverythingAsync(backend, 2000);
            await backend.SaveCheckpointAsync(new RunProgress { Phase = Phase.CuttingOver, RowsCopied = rows, CopyDone = true }, CancellationToken.None);
            var attempt = await backend.TryCutOverAsync(TimeSpan.FromSeconds(5), CutOverVerification.None, CancellationToken.None);
            Assert.True(attempt.Succeeded, attempt.Error);
        }

        await using var load = new PgWriterLoad(layout, writers: 3);
        await load.StartAsync(5_000);
        await load.WaitForOperationsAsync(300, TimeSpan.FromSeconds(30));
        int exit;
        string output;
        if (!resumeFirst)
        {
            // Going back before the forward run's cleanup would strand its checkpoint and capture
            // (a logical slot holding WAL for good): refused, naming the way out, nothing changed.
            (exit, output) = await RevertCli.PgAsync("revert", "--table", $"{schema.Name}.orders", "--execute");
            Assert.True(exit == ExitCodes.RevertNotPossible, output);
            Assert.Contains("--resume", output, StringComparison.Ordinal);
            Assert.Equal("bigint", await ColumnTypeAsync(schema.Name, "orders", "n"));
        }

        var resumed = await PgAlterHarness.RunAsync(options with { Resume = true }, capture: captureOptions);
        Assert.True(resumed.ExitCode == ExitCodes.Success, resumed.Message);
        await load.WaitForOperationsAsync(load.Operations + 200, TimeSpan.FromSeconds(30));

        await RevertAndAssertRevertedAsync(schema.Name, layout, load);
        await ShadowCopy.IntegrationTests.Postgres.PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, "orders");
    }

    /// <summary>
    /// kill -9 inside revert's swap-back transaction at its last statement: triggers dropped, tables
    /// renamed, index names traded, only the helper tables' DROP left (a reader holds the misfit
    /// table). The transaction never commits, so the table is as before the revert; a rerun completes,
    /// the table equals the control and nothing of the reverse capture is left.
    /// </summary>
    [Fact]
    public async Task Revert_SIGKILLed_inside_its_swap_back_then_a_rerun_completes_and_equals_the_control()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await using var load = await AlterRevertibleUnderWritesAsync(layout, "trigger");

        var table = $"{schema.Name}.orders";
        var dropping = $"SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'DROP TABLE IF EXISTS %' AND query LIKE '%{schema.Name}%_orders_rmiss%'";
        await using (var holder = await PgServer.OpenAsync())
        {
            await using (var begin = new Npgsql.NpgsqlCommand($"BEGIN; SELECT count(*) FROM {schema.Name}._orders_rmiss", holder))
            {
                await begin.ExecuteNonQueryAsync();
            }

            await RevertCli.KillWhenAsync(RevertCli.StartPg("revert", "--table", table, "--execute"), async () => await PgServer.ScalarAsync<long>(dropping + " AND wait_event_type = 'Lock'") > 0, "revert never reached its last statement");
            // Its COMMIT never comes: the server rolls the transaction back once its lock wait ends.
            await RevertCli.WaitUntilAsync(async () => await PgServer.ScalarAsync<long>(dropping) == 0, "the killed revert's session is still there");
            await using var commit = new Npgsql.NpgsqlCommand("COMMIT", holder);
            await commit.ExecuteNonQueryAsync();
        }

        // Nothing of the swap back happened.
        Assert.Equal("bigint", await ColumnTypeAsync(schema.Name, "orders", "n"));
        Assert.Equal(["_orders_old", "_orders_rmiss", "_orders_rstate", "orders", "orders_control"], await RelationsAsync(schema.Name));
        await load.WaitForOperationsAsync(load.Operations + 200, TimeSpan.FromSeconds(30));

        await RevertAndAssertRevertedAsync(schema.Name, layout, load);
        Assert.Contains("orders_pkey", await NamesAsync($"SELECT indexname FROM pg_indexes WHERE schemaname = '{schema.Name}' AND tablename = 'orders'"));
    }

    /// <summary>
    /// What the reverse capture cannot carry back yet is refused before anything is created: exit 18,
    /// one sentence naming why, and the schema exactly as it was (catalog, sequences, row checksums).
    /// </summary>
    [Theory]
    [InlineData("child", "ALTER COLUMN s TYPE varchar(50)", "it takes part in foreign keys (carrying them back is not supported yet)")]
    [InlineData("parent", "ALTER COLUMN s TYPE varchar(50)", "it takes part in foreign keys (carrying them back is not supported yet)")]
    [InlineData("using", "ALTER COLUMN s TYPE integer USING length(s)", "the ALTER has a USING expression, which has no inverse")]
    public async Task Revertible_alter_of_a_table_it_cannot_carry_back_is_refused_with_exit_18_and_changes_nothing(string kind, string alter, string why)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var s = schema.Name;
        await PgServer.ExecAsync($"CREATE TABLE {s}.t (id bigint PRIMARY KEY, r bigint, s varchar(5)); CREATE TABLE {s}.o (id bigint PRIMARY KEY, r bigint); INSERT INTO {s}.t SELECT g, NULL, 'v' || g FROM generate_series(1, 100) g;");
        await PgServer.ExecAsync(kind switch
        {
            "child" => $"ALTER TABLE {s}.t ADD FOREIGN KEY (r) REFERENCES {s}.o (id);",
            "parent" => $"ALTER TABLE {s}.o ADD FOREIGN KEY (r) REFERENCES {s}.t (id);",
            _ => "SELECT 1;",
        });
        var before = await PgCatalogSnapshot.TakeAsync(s);

        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(s, "t", alter) with { Revertible = true });

        Assert.True(result.ExitCode == ExitCodes.UnsupportedTable, $"exit {result.ExitCode}: {result.Message}");
        Assert.Equal($"--revertible cannot keep {s}.t revertible: {why}. Nothing was changed.", result.Message);
        Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(s));
    }

    /// <summary>
    /// The table's own triggers follow it forward at the swap (ADR 0027) and back at the revert, and
    /// fire exactly once per row change throughout: the same audit trigger on the control table is the
    /// yardstick (a trigger left on _orders_old would fire again for every reverse write; one left
    /// behind on the new shape, or lost, would count less).
    /// </summary>
    [Fact]
    public async Task Revertible_alter_of_a_table_with_triggers_carries_them_forward_and_back_and_they_fire_once()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var s = schema.Name;
        var layout = new PgTableLayout(s, "orders", "orders_control");
        await layout.CreateAsync(SeedRows);
        await PgServer.ExecAsync($"""
            CREATE TABLE {s}.audit (seq bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL);
            CREATE FUNCTION {s}.audit() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN INSERT INTO {s}.audit (tbl, op) VALUES (TG_TABLE_NAME, TG_OP); RETURN NULL; END$$;
            CREATE TRIGGER orders_audit AFTER INSERT OR UPDATE OR DELETE ON {s}.orders FOR EACH ROW EXECUTE FUNCTION {s}.audit();
            CREATE TRIGGER orders_control_audit AFTER INSERT OR UPDATE OR DELETE ON {s}.orders_control FOR EACH ROW EXECUTE FUNCTION {s}.audit();
            COMMENT ON TRIGGER orders_audit ON {s}.orders IS 'keeps the audit';
            """);
        await using var load = new PgWriterLoad(layout, writers: 4);
        await load.StartAsync(SeedRows);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(s, "orders", Alter) with { Revertible = true }, capture: PgAlterHarness.Logical with { Mode = "trigger" });
        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        await load.WaitForOperationsAsync(load.Operations + 300, TimeSpan.FromSeconds(30));
        Assert.Equal(["_orders_rtrg", "orders_audit"], await UserTriggersAsync(s, "orders"));
        Assert.Empty(await UserTriggersAsync(s, "_orders_old"));

        var (exit, output) = await RevertCli.PgAsync("revert", "--table", $"{s}.orders");
        Assert.True(exit == 0, output);
        Assert.Contains("CREATE TRIGGER orders_audit", output, StringComparison.Ordinal);
        await RevertAndAssertRevertedAsync(s, layout, load, extraRelations: ["audit"]);

        Assert.Equal(["orders_audit"], await UserTriggersAsync(s, "orders"));
        Assert.Empty(await UserTriggersAsync(s, "_orders_old"));
        Assert.Equal("keeps the audit", await PgServer.ScalarAsync<string>($"SELECT obj_description(t.oid, 'pg_trigger') FROM pg_trigger t WHERE t.tgrelid = '{s}.orders'::regclass AND t.tgname = 'orders_audit'"));
        Assert.Equal(
            await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {s}.audit WHERE tbl = 'orders_control'"),
            await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {s}.audit WHERE tbl <> 'orders_control'"));
        Assert.Equal(0, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {s}.audit WHERE tbl NOT IN ('orders', 'orders_control')"));
    }

    [Fact]
    public async Task Revert_refuses_when_a_trigger_of_the_table_uses_a_column_the_old_shape_lacks_and_changes_nothing()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var s = schema.Name;
        await PgServer.ExecAsync($"""
            CREATE TABLE {s}.t (id bigint PRIMARY KEY, v text); INSERT INTO {s}.t SELECT g, 'v' || g FROM generate_series(1, 100) g;
            CREATE FUNCTION {s}.fill() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
            CREATE TRIGGER t_fill BEFORE INSERT ON {s}.t FOR EACH ROW EXECUTE FUNCTION {s}.fill();
            """);
        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(s, "t", "ADD COLUMN note text") with { Revertible = true });
        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        // After the swap the function is changed to use the new column: on the old shape it would fail.
        await PgServer.ExecAsync($"CREATE OR REPLACE FUNCTION {s}.fill() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.note := 'x'; RETURN NEW; END$$;");
        var before = await PgCatalogSnapshot.TakeAsync(s);

        var (exit, output) = await RevertCli.PgAsync("revert", "--table", $"{s}.t", "--execute");

        Assert.True(exit == ExitCodes.RevertNotPossible, output);
        Assert.Contains("trigger t_fill uses column(s) note", output, StringComparison.Ordinal);
        Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(s));
    }

    [Fact]
    public async Task Revert_with_a_widened_value_that_does_not_fit_refuses_naming_the_key_and_changes_nothing()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        await PgServer.ExecAsync($"CREATE TABLE {schema.Name}.t (id bigint PRIMARY KEY, s varchar(5)); INSERT INTO {schema.Name}.t SELECT g, 'v' || g FROM generate_series(1, 100) g;");
        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "t", "ALTER COLUMN s TYPE varchar(50)") with { Revertible = true });
        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);

        // The writer's statement succeeds although the old shape cannot hold the value.
        await PgServer.ExecAsync($"UPDATE {schema.Name}.t SET s = 'much too long' WHERE id = 42");
        var (exit, output) = await RevertCli.PgAsync("revert", "--table", $"{schema.Name}.t", "--execute");
        Assert.Equal(ExitCodes.RevertNotPossible, exit);
        Assert.Contains("[42]", output, StringComparison.Ordinal);
        Assert.Contains("do not fit the old shape", output, StringComparison.Ordinal);
        Assert.Equal("character varying(50)", await ColumnTypeAsync(schema.Name, "t", "s"));

        // Once the row fits again, revert goes through.
        await PgServer.ExecAsync($"UPDATE {schema.Name}.t SET s = 'ok' WHERE id = 42");
        (exit, output) = await RevertCli.PgAsync("revert", "--table", $"{schema.Name}.t", "--execute");
        Assert.True(exit == 0, output);
        Assert.Equal("character varying(5)", await ColumnTypeAsync(schema.Name, "t", "s"));
        Assert.Equal("ok", await PgServer.ScalarAsync<string>($"SELECT s FROM {schema.Name}.t WHERE id = 42"));
    }

    [Fact]
    public async Task Revert_dry_run_and_cleanup_and_not_revertible()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        await PgServer.ExecAsync($"CREATE TABLE {schema.Name}.t (id bigint PRIMARY KEY, s text); INSERT INTO {schema.Name}.t SELECT g, 'v' || g FROM generate_series(1, 100) g;");
        var (exit, output) = await RevertCli.PgAsync("revert", "--table", $"{schema.Name}.t");
        Assert.Equal(ExitCodes.RevertNotPossible, exit);
        Assert.Contains("is not revertible", output, StringComparison.Ordinal);

        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "t", "ADD COLUMN extra int") with { Revertible = true });
        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        (exit, output) = await RevertCli.PgAsync("revert", "--table", $"{schema.Name}.t");
        Assert.True(exit == 0, output);
        Assert.Contains("column extra exists only in the new shape", output, StringComparison.Ordinal);
        Assert.Contains("dry run: nothing changed", output, StringComparison.Ordinal);
        // Visibility (issue 18 point 4): since when, how far behind, what is held, how many misfits.
        var swappedAt = await PgServer.ScalarAsync<DateTime>($"SELECT swapped_at AT TIME ZONE 'UTC' FROM {schema.Name}._t_rstate");
        Assert.Contains($"revertible: since {swappedAt:yyyy-MM-dd HH:mm:ss}Z", output, StringComparison.Ordinal);
        Assert.Contains("behind: 0 rows", output, StringComparison.Ordinal);
        Assert.Contains("held: none", output, StringComparison.Ordinal);
        Assert.Contains("rows that do not fit back: 0", output, StringComparison.Ordinal);
        Assert.Equal(1, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM information_schema.columns WHERE table_schema = '{schema.Name}' AND table_name = 't' AND column_name = 'extra'"));

        // cleanup knows the reverse capture: nothing of it is left, the old table stays.
        using var cleanup = CliProcess.Start("dotnet", [CliProcess.Dll, "cleanup", "--dsn", PgServer.Dsn(), "--table", $"{schema.Name}.t"], PgServer.Password, "PGPASSWORD");
        await cleanup.WaitForExitAsync();
        Assert.Equal(0, cleanup.ExitCode);
        Assert.Equal(["_t_old", "t"], await RelationsAsync(schema.Name));
        Assert.Equal(0, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '{schema.Name}'"));
    }

    /// <summary>The table under 4 writers mirrored into the control, altered with --revertible, then 300 more writes.</summary>
    private static async Task<PgWriterLoad> AlterRevertibleUnderWritesAsync(PgTableLayout layout, string capture)
    {
        await layout.CreateAsync(SeedRows);
        var load = new PgWriterLoad(layout, writers: 4);
        await load.StartAsync(SeedRows);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(layout.Schema, "orders", Alter) with { Revertible = true }, capture: PgAlterHarness.Logical with { Mode = capture });
        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        await load.WaitForOperationsAsync(load.Operations + 300, TimeSpan.FromSeconds(30));
        return load;
    }

    /// <summary>revert --execute under the writers and more writes after it; then the table equals the control in its old shape and nothing of the reverse capture is left.</summary>
    private static async Task RevertAndAssertRevertedAsync(string schema, PgTableLayout layout, PgWriterLoad load, string[]? extraRelations = null)
    {
        var (exit, output) = await RevertCli.PgAsync("revert", "--table", $"{schema}.orders", "--execute");
        Assert.True(exit == 0, output);
        await load.WaitForOperationsAsync(load.Operations + 200, TimeSpan.FromSeconds(30));
        await load.StopAsync();

        Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
        Assert.Equal(await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)), await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
        Assert.Equal("integer", await ColumnTypeAsync(schema, "orders", "n"));
        Assert.Equal(["_orders_old", .. extraRelations ?? [], "orders", "orders_control"], await RelationsAsync(schema));
        Assert.Equal(extraRelations is null ? 0 : 1, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '{schema}'"));
        Assert.Empty(await NamesAsync($"SELECT t.tgname::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema}' AND NOT t.tgisinternal AND t.tgname NOT LIKE '%audit'"));
    }

    private static Task<List<string>> UserTriggersAsync(string schema, string table) =>
        NamesAsync($"SELECT t.tgname::text FROM pg_trigger t WHERE t.tgrelid = '{schema}.{PgServer.Q(table)}'::regclass AND NOT t.tgisinternal ORDER BY 1");

    private static async Task<string> ColumnTypeAsync(string schema, string table, string column) =>
        await PgServer.ScalarAsync<string>($"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{schema}.{table}'::regclass AND attname = '{column}'");

    private static Task<List<string>> RelationsAsync(string schema) =>
        NamesAsync($"SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema}' AND c.relkind = 'r' ORDER BY 1");

    private static async Task<List<string>> NamesAsync(string sql)
    {
        await using var connection = await PgServer.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
