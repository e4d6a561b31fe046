using System.Diagnostics;
using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using Xunit.Abstractions;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// alter --via pt-osc with the real pt-online-schema-change (Percona Toolkit 3.2.1 from Debian)
/// against the real MariaDB: the change under concurrent writers with our verification and swap,
/// the dry run, a missing tool, and a pt-osc that dies mid-copy.
/// </summary>
[Collection("mysql")]
public sealed class MyAlterViaPtOscTests
{
    private readonly ITestOutputHelper _output;

    public MyAlterViaPtOscTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task AlterViaPtOsc_ThreeWritersDuringTheRun_TableMatchesControlByChecksum()
    {
        const long rows = 100_000;
        const int writers = 3;
        var name = UniqueName("viapt");
        var layout = new MyTableLayout(name);
        using var cli = new MyViaToolCli();
        try
        {
            await layout.CreateAsync(rows);
            await using var load = new MyWriterLoad(layout, writers);
            await load.StartAsync(rows);
            await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
            var before = load.Operations;
            var watch = Stopwatch.StartNew();
            var journal = Path.Combine(Path.GetTempPath(), $"{name}-{Guid.NewGuid():N}.jsonl");
            var (exit, stdout, stderr) = await cli.RunAsync(false, null, "alter", "--via", "pt-osc", "--dsn", Dsn, "--table", name,
                "--alter", "ADD COLUMN note VARCHAR(40) DEFAULT 'n/a', MODIFY n BIGINT NOT NULL, ADD INDEX idx_amount (amount)",
                "--execute", "--output", "json", "--chunk-time", "100ms", "--journal", journal);
            watch.Stop();
            var during = load.Operations - before;
            var atSwap = load.Operations;
            // One more than the assertion below needs: the wait can end exactly at the threshold.
            await load.WaitForOperationsAsync(atSwap + 101, TimeSpan.FromSeconds(30));
            await load.StopAsync();

            // stdout stays one JSON object per line, the tool's lines included.
            var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            var result = lines.Single(l => l.GetProperty("type").GetString() == "result");
            Assert.True(exit == 0, $"exit {exit}: {result}\n{stderr}");
            Assert.Equal("completed", result.GetProperty("outcome").GetString());
            Assert.Contains(lines, l => l.GetProperty("type").GetString() == "tool" && l.GetProperty("line").GetString()!.Contains("Copied rows OK", StringComparison.Ordinal));
            var chunks = result.GetProperty("chunks_verified").GetInt32();
            var verified = result.GetProperty("rows_verified").GetInt64();
            Assert.True(chunks > 1 && verified > rows / 2, result.ToString());
            Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
            Assert.True(during > 20, $"the writers barely overlapped the run ({during} transactions)");
            Assert.True(load.Operations - atSwap > 100, "writers made too little progress after the swap");

            var control = await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control));
            var table = await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table));
            Assert.True(control == table, $"checksums differ: {control} vs {table}\n{await layout.DiffAsync()}");
            var columns = await ColumnAsync($"SELECT CONCAT(COLUMN_NAME, ' ', COLUMN_TYPE) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} ORDER BY ORDINAL_POSITION");
            Assert.Contains("note varchar(40)", columns);
            Assert.Contains("n bigint(20)", columns);
            Assert.Contains("idx_amount", await ColumnAsync($"SELECT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)}"));

            // --via runs through the same run setup as any alter: its journal names the tool and the outcome.
            var events = File.ReadLines(journal).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            File.Delete(journal);
            Assert.Contains(events, e => e.GetProperty("kind").GetString() == "run-started" && e.ToString().Contains("pt-osc", StringComparison.Ordinal));
            Assert.Contains(events, e => e.GetProperty("kind").GetString() == "run-finished" && e.ToString().Contains("completed", StringComparison.Ordinal));

            // pt-osc's triggers and table are gone; the old table is kept (no --drop-old-table).
            Assert.Equal(new[] { $"_{name}_old", name, name + "_ctl" }.Order(StringComparer.Ordinal), (await ObjectsAsync(name)).Order(StringComparer.Ordinal));
            Assert.DoesNotContain(TestServers.Get("SHADOWCOPY_MY_PASSWORD"), stdout + stderr, StringComparison.Ordinal);
            _output.WriteLine($"alter --via pt-osc: {rows} rows, {writers} writers, {during} writer transactions during the run ({load.Deadlocks} deadlock victims retried by rollback), " +
                $"verified {chunks} chunks / {verified} rows, checksum table {table} = control {control}, run {watch.Elapsed.TotalSeconds:0.0} s, writer p99 {load.LatencyPercentile(0.99):0} ms");
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task AlterViaPtOsc_WithoutExecute_RunsPtOscDryRunAndChangesNothing()
    {
        var name = UniqueName("viadry");
        var layout = new MyTableLayout(name);
        using var cli = new MyViaToolCli();
        try
        {
            await layout.CreateAsync(2_000);
            var before = await SnapshotAsync(name);
            var (exit, stdout, stderr) = await cli.RunAsync(false, null, "alter", "--via", "pt-osc", "--dsn", Dsn, "--table", name, "--alter", "ADD COLUMN note VARCHAR(10)");
            Assert.True(exit == 0, stdout + stderr);
            Assert.Contains("pt-osc| Dry run complete", stdout, StringComparison.Ordinal);
            Assert.Contains("--dry-run", stdout, StringComparison.Ordinal); // the plan shows the tool's command
            Assert.Equal(before, await SnapshotAsync(name));
            Assert.Equal(new[] { name, name + "_ctl" }.Order(StringComparer.Ordinal), (await ObjectsAsync(name)).Order(StringComparer.Ordinal));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Theory]
    [InlineData("pt-osc", "pt-online-schema-change", "apt-get install percona-toolkit")]
    [InlineData("gh-ost", "gh-ost", "https://github.com/github/gh-ost/releases")]
    public async Task AlterVia_ToolNotInstalled_ExitsWithToolMissingAndChangesNothing(string tool, string executable, string hint)
    {
        var name = UniqueName("vianone");
        var layout = new MyTableLayout(name);
        using var cli = new MyViaToolCli();
        try
        {
            await layout.CreateAsync(100);
            var before = await SnapshotAsync(name);
            var (exit, stdout, stderr) = await cli.RunAsync(true, null, "alter", "--via", tool, "--dsn", Dsn, "--table", name, "--alter", "ADD COLUMN note VARCHAR(10)", "--execute");
            Assert.True(exit == ExitCodes.ExternalToolMissing, $"exit {exit}\n{stdout}\n{stderr}");
            Assert.Contains($"needs {executable}, which is not on PATH", stdout + stderr, StringComparison.Ordinal);
            Assert.Contains(hint, stdout + stderr, StringComparison.Ordinal);
            Assert.Equal(before, await SnapshotAsync(name));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>
    /// The real pt-osc, slowed down and killed with SIGKILL mid-copy by a wrapper, so it leaves
    /// exactly what it leaves in the field: its triggers on the table and a half-filled new table.
    /// </summary>
    [Fact]
    public async Task AlterViaPtOsc_ToolDiesMidCopy_ReportsItsStatusAndRemovesItsLeftovers()
    {
        var name = UniqueName("viafail");
        var layout = new MyTableLayout(name);
        using var cli = new MyViaToolCli();
        cli.AddTool("pt-online-schema-change", """
            #!/bin/sh
            printf '%s\n' "$@" > "$(dirname "$0")/args"
            /usr/bin/pt-online-schema-change "$@" --chunk-size 100 --sleep 0.05 &
            pid=$!
            sleep 4
            kill -9 $pid
            wait $pid
            exit $?
            """);
        try
        {
            await layout.CreateAsync(30_000);
            var before = await SnapshotAsync(name);
            var (exit, stdout, stderr) = await cli.RunAsync(false, null, "alter", "--via", "pt-osc", "--dsn", Dsn, "--table", name, "--alter", "ADD COLUMN note VARCHAR(10)", "--execute");
            var all = stdout + stderr;
            Assert.True(exit == ExitCodes.ExternalToolFailed, $"exit {exit}\n{all}");
            Assert.Contains("pt-osc exited with status 137", all, StringComparison.Ordinal);
            Assert.Contains($"removed pt-osc's objects left by the stopped run: trigger pt_osc_", all, StringComparison.Ordinal);
            Assert.Contains($"table _{name}_ptosc", all, StringComparison.Ordinal);
            Assert.Equal(before, await SnapshotAsync(name));
            Assert.Equal(new[] { name, name + "_ctl" }.Order(StringComparer.Ordinal), (await ObjectsAsync(name)).Order(StringComparer.Ordinal));

            // The password went through a 0600 option file, removed afterwards; never an argument.
            var arguments = cli.RecordedArguments();
            var optionFile = arguments[0]["--defaults-file=".Length..];
            Assert.StartsWith("--defaults-file=", arguments[0], StringComparison.Ordinal);
            Assert.False(File.Exists(optionFile), "the option file with the password was left behind");
            Assert.DoesNotContain(arguments, a => a.Contains(TestServers.Get("SHADOWCOPY_MY_PASSWORD"), StringComparison.Ordinal));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>Our preflight runs before the tool, with alter's exit codes; the tool (a recording fake here) never starts.</summary>
    [Theory]
    [InlineData("nokey", "ADD COLUMN note INT", ExitCodes.NoUsableKey)]
    [InlineData("trigger", "ADD COLUMN note INT", ExitCodes.UnsupportedTable)]
    [InlineData("lossy", "ADD UNIQUE KEY uq_n (n)", ExitCodes.AlterRejected)]
    [InlineData("leftover", "ADD COLUMN note INT", ExitCodes.Leftovers)]
    [InlineData("fk", "ADD COLUMN note INT", ExitCodes.ForeignKeys)]
    public async Task AlterViaPtOsc_PreflightRefusal_SameExitCodeAsAlter_ToolNeverStarts(string setup, string alter, int expected)
    {
        var name = UniqueName("viaref");
        var table = $"{Q(Database)}.{Q(name)}";
        using var cli = new MyViaToolCli();
        cli.AddTool("pt-online-schema-change", "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/args\"\n");
        try
        {
            if (setup == "nokey")
            {
                await ExecAsync($"CREATE TABLE {table} (n INT) ENGINE=InnoDB");
                await ExecAsync($"INSERT INTO {table} (n) VALUES (1), (1)");
            }
            else
            {
                await ExecAsync($"CREATE TABLE {table} (id INT PRIMARY KEY, n INT) ENGINE=InnoDB");
                await ExecAsync($"INSERT INTO {table} (id, n) VALUES (1, 1), (2, 1)"); // duplicates in n: a new UNIQUE over n is lossy
            }

            switch (setup)
            {
                case "trigger":
                    await ExecAsync($"CREATE TRIGGER {Q(Database)}.{Q(name + "_audit")} AFTER INSERT ON {table} FOR EACH ROW SET @x = 1");
                    break;
                case "leftover":
                    await ExecAsync($"CREATE TABLE {Q(Database)}.{Q($"_{name}_ptosc")} LIKE {table}");
                    await ExecAsync($"CREATE TRIGGER {Q(Database)}.{Q($"pt_osc_{Database}_{name}_ins")} AFTER INSERT ON {table} FOR EACH ROW REPLACE INTO {Q(Database)}.{Q($"_{name}_ptosc")} (id, n) VALUES (NEW.id, NEW.n)");
                    break;
                case "fk":
                    await ExecAsync($"CREATE TABLE {Q(Database)}.{Q(name + "_child")} (id INT PRIMARY KEY, p INT, FOREIGN KEY (p) REFERENCES {table} (id)) ENGINE=InnoDB");
                    break;
            }

            var before = await SnapshotAsync(name);
            var (exit, stdout, stderr) = await cli.RunAsync(false, null, "alter", "--via", "pt-osc", "--dsn", Dsn, "--table", name, "--alter", alter, "--execute");
            Assert.True(exit == expected, $"exit {exit}\n{stdout}\n{stderr}");
            Assert.Contains("refused", stdout + stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(cli.ToolDirectory, "args")), "the tool was started despite the refusal");
            Assert.Equal(before, await SnapshotAsync(name));
        }
        finally
        {
            await ExecAsync($"DROP TABLE IF EXISTS {Q(Database)}.{Q(name + "_child")}");
            await DropAsync(name);
        }
    }

    /// <summary>Ctrl+C while pt-osc copies: the tool is stopped, its triggers and table dropped, exit 6, table as before.</summary>
    [Fact]
    public async Task AlterViaPtOsc_SigintDuringTheToolsCopy_StopsItCleansUpAndExitsCancelled()
    {
        var name = UniqueName("viaint");
        var layout = new MyTableLayout(name);
        using var cli = new MyViaToolCli();
        cli.AddTool("pt-online-schema-change", """
            #!/bin/sh
            exec /usr/bin/pt-online-schema-change "$@" --chunk-size 100 --sleep 0.05
            """);
        var log = Path.Combine(cli.ToolDirectory, "cli.log");
        try
        {
            await layout.CreateAsync(30_000);
            var before = await SnapshotAsync(name);
            var script = $$"""
                set -m
                "$@" > '{{log}}' 2>&1 &
                pid=$!
                for i in $(seq 1 600); do grep -q 'Copying approximately' '{{log}}' && break; sleep 0.05; done
                sleep 0.5
                kill -INT $pid
                wait $pid
                echo "exit=$?"
                """;
            var (_, shellOut, _) = await cli.RunScriptAsync(script, "alter", "--via", "pt-osc", "--dsn", Dsn, "--table", name, "--alter", "ADD COLUMN note VARCHAR(10)", "--execute");
            var cliOut = await File.ReadAllTextAsync(log);
            Assert.True(shellOut.Contains($"exit={ExitCodes.Cancelled}", StringComparison.Ordinal), $"{shellOut}\n{cliOut}");
            Assert.Contains("Copying approximately", cliOut, StringComparison.Ordinal);
            Assert.Contains("removed pt-osc's objects left by the stopped run", cliOut, StringComparison.Ordinal);
            Assert.Equal(before, await SnapshotAsync(name));
            Assert.Equal(new[] { name, name + "_ctl" }.Order(StringComparer.Ordinal), (await ObjectsAsync(name)).Order(StringComparer.Ordinal));
        }
        finally
        {
            await DropAsync(name);
        }
    }
}
