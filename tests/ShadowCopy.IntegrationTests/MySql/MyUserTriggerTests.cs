using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Revert;
using ShadowCopy.MySql;
using Xunit.Abstractions;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// The table's own triggers are carried to the new table (ADR 0027), in both capture modes, with
/// four writers running through copy and cut-over. The control table has the same triggers, written
/// in the same transactions: a trigger missing for a moment (a write during the cut-over that skipped
/// it) or fired twice (by the copy or the applier) makes the table, or the audit rows, differ.
/// </summary>
[Collection("mysql")]
public sealed class MyUserTriggerTests
{
    private const string Alter = "ADD COLUMN note VARCHAR(40) DEFAULT 'n/a', MODIFY n BIGINT NOT NULL";

    private readonly ITestOutputHelper _output;

    public MyUserTriggerTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(CaptureMode.Trigger)]
    [InlineData(CaptureMode.Binlog)]
    public async Task Alter_table_with_triggers_keeps_them_and_each_fires_once_per_write(CaptureMode capture)
    {
        var name = UniqueName("utrg");
        var layout = new MyTableLayout(name);
        try
        {
            string? auditAtStart = null;
            IReadOnlyList<string>? before = null;
            var run = await MyLoadRun.ExecuteAsync(layout, 10_000, MyAlterHarness.Options(name, Alter), capture, setup: async () =>
            {
                await CreateTriggersAsync(layout);
                before = await DefinitionsAsync(name);
                auditAtStart = await ScalarAsync($"SELECT COUNT(*) FROM {Audit(name)}");
            });
            _output.WriteLine($"{capture}: {run}");
            run.AssertSucceeded(await layout.DiffAsync());

            // Same triggers, same order, definer, sql_mode and body; none left on the old table.
            Assert.Equal(before, await DefinitionsAsync(name));
            Assert.Empty(await DefinitionsAsync($"_{name}_old"));

            // Each application write fired each trigger exactly once: the BEFORE INSERT trigger's
            // label is in the checksum, and the audit rows match the control's one for one.
            Assert.Equal(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)), await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)));
            await AssertAuditMatchesAsync(name);
            var audit = long.Parse(await ScalarAsync($"SELECT COUNT(*) FROM {Audit(name)}") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(audit > long.Parse(auditAtStart!, System.Globalization.CultureInfo.InvariantCulture), "no update ran during the alter");
            Assert.Equal(["bi:7"], await ColumnAsync($"SELECT label FROM {layout.Table} WHERE id = 900000000"));
            await AssertNoGuardsAsync();
            await AssertNoHelpersAsync(name);
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>
    /// Every cut-over attempt fails, or the run is cancelled (Ctrl+C), after the triggers moved to the
    /// shadow and while the RENAME waits: they come back on the original, in order, before writers resume.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Trigger, false)]
    [InlineData(CaptureMode.Binlog, false)]
    [InlineData(CaptureMode.Trigger, true)]
    [InlineData(CaptureMode.Binlog, true)]
    public async Task CutOver_failing_or_cancelled_after_the_move_puts_the_triggers_back_on_the_original(CaptureMode capture, bool cancelled)
    {
        var name = UniqueName("utrf");
        var layout = new MyTableLayout(name);
        try
        {
            IReadOnlyList<string>? before = null;
            var moved = 0;
            var guarded = 0;
            using var cancel = new CancellationTokenSource();
            var options = MyAlterHarness.Options(name, Alter) with { CutOverAttempts = 2 };
            var run = await MyLoadRun.ExecuteAsync(
                layout,
                5_000,
                options,
                capture,
                setup: async () =>
                {
                    await CreateTriggersAsync(layout);
                    before = await DefinitionsAsync(name);
                },
                backendFactory: () => new MySqlAlterBackend(Settings(), options, capture, NullLogger.Instance)
                {
                    BeforeGoTokenForTests = async _ =>
                    {
                        // The triggers are off the original now (on the shadow, whose lock the queued RENAME holds).
                        moved = before!.Count - (await DefinitionsAsync(name)).Count;
                        guarded = (await GuardsAsync(name)).Count;
                        if (cancelled)
                        {
                            await cancel.CancelAsync();
                            cancel.Token.ThrowIfCancellationRequested();
                        }

                        throw new TimeoutException("injected failure before the go token");
                    },
                },
                cancellationToken: cancel.Token);
            _output.WriteLine($"{capture}: {run}");

            Assert.True(run.Result.ExitCode == (cancelled ? ExitCodes.Cancelled : ExitCodes.CutOverFailed), $"exit {run.Result.ExitCode}: {run.Result.Message}");
            Assert.Equal(before!.Count, moved);
            Assert.Equal(3, guarded);

            // Moving the triggers back keeps the lock short: each attempt holds t for its drain, compare,
            // move and move back, well under a second here. 5 s catches a read that waits on the queued
            // RENAME's metadata lock (its lock wait timeout, 32 s), as the hook's own read once did.
            Assert.True(run.Max <= 5_000, $"a writer waited {run.Max:0} ms: {run}");
            Assert.True(run.Errors == 0, "writer errors: " + run.ErrorMessages);
            await AssertNoGuardsAsync();
            Assert.Equal(before, await DefinitionsAsync(name));
            Assert.Equal(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)), await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)));
            await AssertAuditMatchesAsync(name);
            await AssertNoHelpersAsync(name, kept: false);
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>
    /// The tool is SIGKILLed between the move and the swap (the go token's CREATE TABLE held up by a
    /// BACKUP LOCK on its name, so the triggers are on the shadow and the guards on t when it dies):
    /// every write to t fails with the guard's message and changes nothing, none runs without its
    /// triggers; cleanup (or alter --resume) puts the triggers back in order and lifts the guards, and
    /// with four writers running through it all, t equals the control table.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Trigger, "cleanup")]
    [InlineData(CaptureMode.Binlog, "resume")]
    [InlineData(CaptureMode.Binlog, "cleanup")]
    [InlineData(CaptureMode.Trigger, "resume")]
    public async Task Killed_between_the_move_and_the_swap_refuses_writes_until_cleanup_or_resume_restores_the_triggers(CaptureMode capture, string repair)
    {
        var name = UniqueName("utrk");
        var layout = new MyTableLayout(name);
        string[] Args(params string[] more) =>
            ["alter", "--dsn", Dsn, "--table", name, "--alter", Alter, "--execute", "--capture", capture.ToString().ToLowerInvariant(), "--chunk-size", "1000", "--checkpoint-interval", "1s", "--cut-over-lock-timeout", "10s", "--output", "json", "--journal", "none", .. more];
        try
        {
            await layout.CreateAsync(5_000);
            await CreateTriggersAsync(layout);
            var before = await DefinitionsAsync(name);
            await using var tokenHolder = await OpenAsync();
            await tokenHolder.ExecuteAsync($"BACKUP LOCK {Q(Database)}.{Q(name + "~go")}");
            await using var load = new MyWriterLoad(layout, writers: 4);
            await load.StartAsync(5_000);
            await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));

            List<string> toolSessions = [];
            using (var process = MyCli.Start(Args()))
            {
                await RevertCli.KillWhenAsync(process, async () =>
                {
                    toolSessions = await ColumnAsync($"SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE {Lit($"CREATE TABLE %{name}~go%")} AND STATE LIKE '%metadata lock%' UNION ALL SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE {Lit($"RENAME TABLE %{name}%")}");
                    return toolSessions.Count == 2;
                }, "the cut-over never waited on the go token");
            }

            // The server ends a dead client's sessions (its lock and the waiting statements) on its own.
            await RevertCli.WaitUntilAsync(async () => (await ColumnAsync($"SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN ({string.Join(", ", toolSessions)})")).Count == 0, "the killed tool's sessions lingered");
            await tokenHolder.ExecuteAsync("BACKUP UNLOCK");

            // Killed mid-way: the user's triggers sit on the shadow, the guards on t.
            Assert.Empty(await DefinitionsAsync(name));
            Assert.Equal(before, await DefinitionsAsync($"_{name}_new"));
            var checksum = await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table));
            var audit = await ScalarAsync($"SELECT COUNT(*) FROM {Audit(name)}");
            foreach (var write in new[]
            {
                $"INSERT INTO {layout.Table} (id, n) VALUES (2000000000, 8)",
                $"UPDATE {layout.Table} SET n = n + 1 WHERE id = 900000000",
                $"DELETE FROM {layout.Table} WHERE id = 900000000",
            })
            {
                var refused = await Assert.ThrowsAsync<ShadowCopy.MySql.Protocol.MySqlServerException>(() => ExecAsync(write));
                Assert.Contains("interrupted", refused.Message, StringComparison.Ordinal);
                Assert.Equal("45000", refused.SqlState);
            }

            Assert.Equal(3, (await GuardsAsync(name)).Count);
            Assert.Equal(checksum, await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)));
            Assert.Equal(audit, await ScalarAsync($"SELECT COUNT(*) FROM {Audit(name)}"));
            var refusedWrites = load.Errors;
            await Task.Delay(300); // the writers keep hitting the guards meanwhile

            using (var fix = MyCli.Start(repair == "cleanup" ? ["cleanup", "--dsn", Dsn, "--table", name] : Args("--resume")))
            {
                var output = Task.WhenAll(fix.StandardOutput.ReadToEndAsync(), fix.StandardError.ReadToEndAsync());
                await fix.WaitForExitAsync();
                Assert.True(fix.ExitCode == 0, $"{repair}: exit {fix.ExitCode}: {string.Concat(await output)}");
            }

            var operations = load.Operations;
            await load.WaitForOperationsAsync(operations + 300, TimeSpan.FromSeconds(30));
            await load.StopAsync();
            _output.WriteLine($"{capture}/{repair}: {load.Errors} refused writer transactions ({refusedWrites} before the repair), {load.Operations} committed");

            // The triggers are back exactly as they were, no guard is left, and writes fire them again.
            Assert.Equal(before, await DefinitionsAsync(name));
            await AssertNoGuardsAsync();
            Assert.True(load.Operations > operations + 100, "the writers made no progress after the repair");
            Assert.All(load.ErrorMessages, m => Assert.Contains("interrupted", m, StringComparison.Ordinal));
            Assert.Equal(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)), await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)));
            await AssertAuditMatchesAsync(name);
            if (repair == "resume")
            {
                Assert.Empty(await DefinitionsAsync($"_{name}_old"));
            }

            await AssertNoHelpersAsync(name, kept: repair == "resume");
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Theory]
    [InlineData("DROP COLUMN label", "label")]
    [InlineData("RENAME COLUMN label TO tag", "label")]
    public async Task Preflight_trigger_naming_a_dropped_or_renamed_column_is_refused_and_nothing_changes(string alter, string column)
    {
        var name = UniqueName("utrr");
        var layout = new MyTableLayout(name);
        try
        {
            await layout.CreateAsync(100);
            await CreateTriggersAsync(layout);
            var snapshot = await SnapshotAsync(name);
            var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, alter), CaptureMode.Trigger);
            Assert.True(result.ExitCode == ExitCodes.UnsupportedTable, $"exit {result.ExitCode}: {result.Message}");
            Assert.Contains(column, result.Message, StringComparison.Ordinal);
            Assert.Equal(snapshot, await SnapshotAsync(name));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    private static string Audit(string name) => $"{Q(Database)}.{Q(name + "_audit")}";

    /// <summary>On the table and on the control alike: a BEFORE INSERT that sets label, two ordered AFTER UPDATEs that write audit rows.</summary>
    private static async Task CreateTriggersAsync(MyTableLayout layout)
    {
        var name = layout.Name;
        await ExecAsync($"CREATE TABLE {Audit(name)} (seq BIGINT AUTO_INCREMENT PRIMARY KEY, src CHAR(1) CHARACTER SET ascii COLLATE ascii_bin NOT NULL, id BIGINT NOT NULL, n BIGINT NOT NULL)");
        foreach (var (table, prefix, src) in new[] { (layout.Table, name, "t"), (layout.Control, name + "_c", "c") })
        {
            await ExecAsync($"CREATE TRIGGER {Q(Database)}.{Q(prefix + "_bi")} BEFORE INSERT ON {table} FOR EACH ROW SET NEW.label = CONCAT('bi:', NEW.n)");
            await ExecAsync($"CREATE TRIGGER {Q(Database)}.{Q(prefix + "_au")} AFTER UPDATE ON {table} FOR EACH ROW INSERT INTO {Audit(name)} (src, id, n) VALUES ('{src}', NEW.id, NEW.n)");
            await ExecAsync($"CREATE TRIGGER {Q(Database)}.{Q(prefix + "_au2")} AFTER UPDATE ON {table} FOR EACH ROW FOLLOWS {Q(prefix + "_au")} BEGIN IF NEW.id < 0 THEN INSERT INTO {Audit(name)} (src, id, n) VALUES (UPPER('{src}'), NEW.id, NEW.n); END IF; END");
        }

        // A row whose label only the trigger sets, on an id no writer owns.
        await ExecAsync($"INSERT INTO {layout.Table} (id, n) VALUES (900000000, 7)");
        await ExecAsync($"INSERT INTO {layout.Control} (id, n) VALUES (900000000, 7)");
    }

    /// <summary>The user's triggers on the table (the run's capture triggers start with an underscore).</summary>
    private static async Task<IReadOnlyList<string>> DefinitionsAsync(string table) =>
        await ColumnAsync($"SELECT CONCAT_WS(' | ', TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER, DEFINER, SQL_MODE, ACTION_STATEMENT) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {Lit(Database)} AND BINARY EVENT_OBJECT_TABLE = {Lit(table)} AND TRIGGER_NAME NOT LIKE '\\_%' ORDER BY EVENT_MANIPULATION, ACTION_TIMING, ACTION_ORDER");

    /// <summary>The audit rows of the table's triggers and of the control's, as multisets, are equal.</summary>
    private static async Task AssertAuditMatchesAsync(string name)
    {
        string Sum(string src) => $"SELECT CONCAT(COUNT(*), '/', COALESCE(SUM(CRC32(CONCAT(id, ':', n))), 0)) FROM {Audit(name)} WHERE src = '{src}'";
        Assert.Equal(await ScalarAsync(Sum("c")), await ScalarAsync(Sum("t")));
        Assert.Equal(await ScalarAsync(Sum("C")), await ScalarAsync(Sum("T")));
        Assert.NotEqual("0/0", await ScalarAsync(Sum("t")));
    }

    /// <summary>
    /// Our cut-over guard triggers (their bodies carry the marker), on <paramref name="table"/> or anywhere
    /// in the schema. Inside the cut-over only by table: information_schema.TRIGGERS opens the .TRG of
    /// every table its table-name condition (if any) lets through, and the shadow's open waits for its
    /// metadata lock, which the queued RENAME holds until its lock wait timeout, all while session A
    /// holds t (measured: 32 s, the whole stall of issue #16's first guard branch).
    /// </summary>
    private static Task<List<string>> GuardsAsync(string? table = null) =>
        ColumnAsync($"SELECT CONCAT(EVENT_OBJECT_TABLE, '.', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = {Lit(Database)}{(table is null ? string.Empty : $" AND EVENT_OBJECT_TABLE = {Lit(table)}")} AND ACTION_STATEMENT LIKE '%shadowcopy:cut-over guard%'");

    private static async Task AssertNoGuardsAsync() => Assert.Empty(await GuardsAsync());

    private static async Task AssertNoHelpersAsync(string name, bool kept = true)
    {
        var expected = new List<string> { name, name + "_audit", name + "_ctl" };
        if (kept)
        {
            expected.Add($"_{name}_old");
        }

        expected.AddRange(new[] { "_bi", "_au", "_au2", "_c_bi", "_c_au", "_c_au2" }.Select(s => "trigger " + name + s));
        Assert.Equal(expected.Order(StringComparer.Ordinal), (await ObjectsAsync(name)).Order(StringComparer.Ordinal));
    }
}
