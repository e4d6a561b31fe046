using System.Diagnostics;
using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>The real executable against MariaDB: SIGKILL then cleanup, Ctrl+C, dry run, secrets.</summary>
[Collection("mysql")]
public sealed class MyCliProcessTests
{
    [Theory]
    [InlineData("trigger")]
    [InlineData("binlog")]
    public async Task Cleanup_after_SIGKILL_mid_copy_restores_a_clean_state_with_the_original_intact(string capture)
    {
        var name = UniqueName("kill");
        var layout = new MyTableLayout(name);
        try
        {
            await layout.CreateAsync(30_000);
            var before = await SnapshotAsync(name);
            using (var process = StartCli("alter", "--dsn", Dsn, "--table", name, "--alter", "ADD COLUMN note VARCHAR(10)", "--execute", "--capture", capture,
                "--max-rows-per-second", "2000", "--chunk-size", "200", "--output", "json"))
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line && !line.Contains("\"copying\"", StringComparison.Ordinal))
                {
                }

                process.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
                await process.WaitForExitAsync();
            }

            Assert.NotEqual(before, await SnapshotAsync(name));
            var refused = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, "ADD COLUMN note VARCHAR(10)"), ShadowCopy.MySql.CaptureMode.Binlog);
            Assert.Equal(ExitCodes.Leftovers, refused.ExitCode);

            using var cleanup = StartCli("cleanup", "--dsn", Dsn, "--table", name);
            var output = await cleanup.StandardOutput.ReadToEndAsync();
            await cleanup.WaitForExitAsync();
            Assert.True(cleanup.ExitCode == 0, output + await cleanup.StandardError.ReadToEndAsync());
            Assert.Contains($"_{name}_new", output, StringComparison.Ordinal);
            Assert.Equal(before, await SnapshotAsync(name));
            Assert.Equal(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)), await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Alter_SIGINT_during_copy_cleans_up_and_exits_cancelled()
    {
        var name = UniqueName("sigint");
        var layout = new MyTableLayout(name);
        try
        {
            await layout.CreateAsync(30_000);
            var before = await SnapshotAsync(name);
            var output = Path.Combine(Path.GetTempPath(), $"sc-mysql-signal-{Guid.NewGuid():N}.log");
            var script = $$"""
                set -m
                "$@" > '{{output}}' 2>&1 &
                pid=$!
                for i in $(seq 1 600); do grep -q '"type":"status","phase":"copying"' '{{output}}' && break; sleep 0.05; done
                kill -INT $pid
                wait $pid
                echo "exit=$?"
                """;
            using var shell = StartProcess("bash", ["-c", script, "bash", "dotnet", CliDll, "alter", "--dsn", Dsn, "--table", name, "--alter", "ADD COLUMN note VARCHAR(10)",
                "--execute", "--capture", "trigger", "--max-rows-per-second", "2000", "--chunk-size", "200", "--output", "json"]);
            var shellOut = await shell.StandardOutput.ReadToEndAsync();
            await shell.WaitForExitAsync();
            var cliOut = await File.ReadAllTextAsync(output);
            File.Delete(output);
            Assert.True(shellOut.Contains($"exit={ExitCodes.Cancelled}", StringComparison.Ordinal), $"{shellOut}\n{cliOut}");
            Assert.Equal(before, await SnapshotAsync(name));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Alter_dry_run_prints_the_plan_and_changes_nothing()
    {
        var name = UniqueName("dry");
        var layout = new MyTableLayout(name);
        try
        {
            await layout.CreateAsync(5_000);
            var before = await SnapshotAsync(name);
            using var process = StartCli("alter", "--dsn", Dsn, "--table", name, "--alter", "ADD COLUMN note VARCHAR(10)", "--output", "json");
            var stdout = await process.StandardOutput.ReadToEndAsync();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, stdout + stderr);
            var result = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last()).RootElement;
            Assert.Equal("dry-run", result.GetProperty("outcome").GetString());
            var plan = result.GetProperty("plan").EnumerateArray().Select(p => p.GetProperty("sql").GetString()!).ToList();
            Assert.Contains(plan, s => s.Contains("ADD COLUMN note VARCHAR(10)", StringComparison.Ordinal));
            Assert.Contains(plan, s => s.StartsWith("RENAME TABLE", StringComparison.Ordinal));
            Assert.Contains(plan, s => s.StartsWith("LOCK TABLES", StringComparison.Ordinal));
            Assert.Equal(before, await SnapshotAsync(name));
            Assert.DoesNotContain(TestServers.Get("SHADOWCOPY_MY_PASSWORD"), stdout + stderr, StringComparison.Ordinal);
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Alter_password_in_dsn_is_refused_before_connecting()
    {
        using var process = StartCli("alter", "--dsn", "mysql://u:hunter2@127.0.0.1:1/db", "--table", "t", "--alter", "ADD COLUMN x int", "--execute");
        var all = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(ExitCodes.UsageError, process.ExitCode);
        Assert.Contains("must not contain a password", all, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", all, StringComparison.Ordinal);
    }

    private static string CliDll => MyCli.Dll;

    private static Process StartCli(params string[] args) => MyCli.Start(args);

    private static Process StartProcess(string program, string[] args) => MyCli.StartProcess(program, args);
}
