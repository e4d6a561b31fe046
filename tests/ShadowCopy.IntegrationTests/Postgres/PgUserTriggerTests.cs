using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// The table's own triggers are carried to the new table inside the cut-over transaction (ADR 0027),
/// in both capture modes, with writers running through copy and cut-over. The control table has the
/// same triggers and gets the same writes: a trigger missing at some moment, or fired again by the
/// copy or the applier, makes the table (the BEFORE INSERT trigger's body suffix) or the audit rows differ.
/// </summary>
[Collection("postgres")]
public sealed class PgUserTriggerTests
{
    private const string Alter = "ADD COLUMN note text DEFAULT 'n/a', ALTER COLUMN n TYPE bigint";

    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Alter_table_with_triggers_keeps_them_and_each_fires_once_per_write(string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(20_000);
        await CreateTriggersAsync(schema, layout);
        var before = await DefinitionsAsync(schema.Name, "orders");

        await using var load = new PgWriterLoad(layout, writers: 4);
        await load.StartAsync(20_000);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
        var auditAtStart = await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {schema.Table("audit")}");
        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "orders", Alter), capture: PgAlterHarness.Logical with { Mode = capture });
        var atSwap = load.Operations;
        await load.WaitForOperationsAsync(atSwap + 300, TimeSpan.FromSeconds(30));
        await load.StopAsync();

        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
        Assert.True(result.ChangesApplied > 0, "no captured change was applied: the writers did not overlap the copy");

        // Same definitions (timing, events, UPDATE OF, WHEN, arguments), enabled state and comments; none left on the old table.
        Assert.Equal(before, await DefinitionsAsync(schema.Name, "orders"));
        Assert.Empty(await DefinitionsAsync(schema.Name, "_orders_old"));

        Assert.Equal(await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)), await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
        await AssertAuditMatchesAsync(schema);
        Assert.True(await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {schema.Table("audit")}") > auditAtStart, "no update ran during the alter");
        Assert.Equal("seeded+bi", await PgServer.ScalarAsync<string>($"SELECT body FROM {layout.Table} WHERE id = 900000000"));
        await AssertNoHelpersAsync(schema);
    }

    /// <summary>Every cut-over attempt times out on a blocker: the transaction rolls back and the original keeps its triggers.</summary>
    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task CutOver_failing_or_cancelled_leaves_the_original_with_its_triggers(string capture)
    {
        foreach (var cancelled in new[] { false, true })
        {
            await using var schema = await PgSchemaScope.CreateAsync();
            var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
            await layout.CreateAsync(5_000);
            await CreateTriggersAsync(schema, layout);
            var before = await DefinitionsAsync(schema.Name, "orders");

            await using var load = new PgWriterLoad(layout, writers: 4);
            await load.StartAsync(5_000);
            await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
            await using var blocker = await PgServer.OpenAsync();
            using var cancel = new CancellationTokenSource();
            var sink = new RecordingStatusSink
            {
                OnEnter = phase =>
                {
                    if (phase == Phase.CuttingOver)
                    {
                        // A reader in an open transaction: ACCESS EXCLUSIVE cannot be had.
                        using var begin = new Npgsql.NpgsqlCommand($"BEGIN; SELECT count(*) FROM {layout.Table}", blocker);
                        begin.ExecuteNonQuery();
                        if (cancelled)
                        {
                            // Ctrl+C while the cut-over waits for its lock inside its transaction.
                            cancel.CancelAfter(TimeSpan.FromMilliseconds(150));
                        }
                    }
                    else if (phase == Phase.CleaningUp)
                    {
                        // Dropping the capture trigger needs the same lock: the blocker ends, as long transactions do.
                        using var rollback = new Npgsql.NpgsqlCommand("ROLLBACK", blocker);
                        rollback.ExecuteNonQuery();
                    }
                },
            };
            var options = PgAlterHarness.Options(schema.Name, "orders", Alter) with { CutOverLockTimeout = TimeSpan.FromMilliseconds(300), CutOverAttempts = 2 };
            var result = await PgAlterHarness.RunAsync(options, cancellationToken: cancel.Token, sink: sink, capture: PgAlterHarness.Logical with { Mode = capture });
            await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(30));
            await load.StopAsync();

            Assert.True(result.ExitCode == (cancelled ? ExitCodes.Cancelled : ExitCodes.CutOverFailed), $"exit {result.ExitCode}: {result.Message}");
            Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
            Assert.Equal(before, await DefinitionsAsync(schema.Name, "orders"));
            Assert.Equal(await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)), await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
            await AssertAuditMatchesAsync(schema);
            await AssertNoHelpersAsync(schema, kept: false);
        }
    }

    [Theory]
    [InlineData("DROP COLUMN email", "email")]
    [InlineData("RENAME COLUMN n TO m", "n")]
    public async Task Preflight_trigger_that_would_not_work_on_the_new_shape_is_refused_and_nothing_changes(string alter, string column)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(100);
        await CreateTriggersAsync(schema, layout);
        var before = await DefinitionsAsync(schema.Name, "orders");
        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "orders", alter));
        Assert.True(result.ExitCode == ExitCodes.UnsupportedTable, $"exit {result.ExitCode}: {result.Message}");
        Assert.Contains(column, result.Message, StringComparison.Ordinal);
        Assert.Equal(before, await DefinitionsAsync(schema.Name, "orders"));
        Assert.Empty(await NamesAsync($"SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema.Name}' AND relname LIKE '\\_orders%'"));
    }

    /// <summary>
    /// On the table and the control alike: a BEFORE INSERT that appends to body; an AFTER UPDATE that
    /// writes an audit row; an AFTER UPDATE OF n with a WHEN (named to fire after it); a disabled one with a comment.
    /// </summary>
    private static async Task CreateTriggersAsync(PgSchemaScope schema, PgTableLayout layout)
    {
        var audit = schema.Table("audit");
        await PgServer.ExecAsync($"""
            CREATE TABLE {audit} (seq bigserial PRIMARY KEY, src text NOT NULL, id bigint NOT NULL, n bigint NOT NULL);
            CREATE FUNCTION {schema.Q}.bi() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.body := coalesce(NEW.body, '') || '+bi'; RETURN NEW; END $$;
            CREATE FUNCTION {schema.Q}.au() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO {audit} (src, id, n) VALUES (TG_ARGV[0], NEW.id, NEW.n); RETURN NULL; END $$;
            CREATE FUNCTION {schema.Q}.uses_email() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.email IS NULL THEN NULL; END IF; RETURN NEW; END $$;
            """);
        foreach (var (table, src) in new[] { (layout.Table, "t"), (layout.Control, "c") })
        {
            await PgServer.ExecAsync($"""
                CREATE TRIGGER a_bi BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {schema.Q}.bi();
                CREATE TRIGGER b_au AFTER UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {schema.Q}.au('{src}');
                CREATE TRIGGER c_au_n AFTER UPDATE OF n ON {table} FOR EACH ROW WHEN (OLD.n IS DISTINCT FROM NEW.n) EXECUTE FUNCTION {schema.Q}.au('{src.ToUpperInvariant()}');
                CREATE TRIGGER d_off BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION {schema.Q}.uses_email();
                ALTER TABLE {table} DISABLE TRIGGER d_off;
                COMMENT ON TRIGGER d_off ON {table} IS 'kept, disabled';
                INSERT INTO {table} (id, email, n, body) VALUES (900000000, NULL, 7, 'seeded');
                """);
        }
    }

    private static Task<List<string>> DefinitionsAsync(string schema, string table) => NamesAsync($"""
        SELECT t.tgname || ' | ' || replace(pg_get_triggerdef(t.oid), '_orders_old', 'orders') || ' | ' || t.tgenabled::text || ' | ' || coalesce(obj_description(t.oid, 'pg_trigger'), '-')
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = '{schema}' AND c.relname = '{table}' AND NOT t.tgisinternal AND t.tgname NOT LIKE '\_%' ORDER BY 1
        """);

    private static async Task AssertAuditMatchesAsync(PgSchemaScope schema)
    {
        string Sum(string src) => $"SELECT count(*)::text || '/' || coalesce(sum(hashtext(id || ':' || n)::numeric), 0)::text FROM {schema.Table("audit")} WHERE src = '{src}'";
        Assert.Equal(await PgServer.ScalarAsync<string>(Sum("c")), await PgServer.ScalarAsync<string>(Sum("t")));
        Assert.Equal(await PgServer.ScalarAsync<string>(Sum("C")), await PgServer.ScalarAsync<string>(Sum("T")));
        Assert.NotEqual("0/0", await PgServer.ScalarAsync<string>(Sum("t")));
    }

    private static async Task AssertNoHelpersAsync(PgSchemaScope schema, bool kept = true)
    {
        var relations = await NamesAsync($"SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema.Name}' AND c.relkind = 'r' ORDER BY 1");
        Assert.Equal(kept ? ["_orders_old", "audit", "orders", "orders_control"] : ["audit", "orders", "orders_control"], relations);
        Assert.Equal(["au", "bi", "uses_email"], await NamesAsync($"SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '{schema.Name}' ORDER BY 1"));
        Assert.Equal(8, (await NamesAsync($"SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema.Name}' AND NOT t.tgisinternal")).Count);
    }

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
