using System.Diagnostics;
using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>The real executable: signals, cleanup, dry run, JSON output, secrets.</summary>
[Collection("postgres")]
public sealed class PgCliProcessTests
{
    [Theory]
    [InlineData("INT", "trigger")]
    [InlineData("TERM", "trigger")]
    [InlineData("INT", "logical")]
    public async Task Alter_SignalDuringCopy_CleansUpAndLeavesDatabaseAsBefore(string signal, string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(30_000);
        var before = await PgCatalogSnapshot.TakeAsync(schema.Name);

        // A shell drives the signal: it starts the CLI as a job (set -m, so SIGINT is not ignored
        // as it is for background commands), waits for the copy to start, signals, and reports the
        // exit status. (Reading the CLI's stdout through the test host's pipes delivered lines late.)
        var output = Path.Combine(Path.GetTempPath(), $"sc-signal-{Guid.NewGuid():N}.log");
        var script = $$"""
            set -m
            "$@" > '{{output}}' 2>&1 &
            pid=$!
            for i in $(seq 1 600); do grep -q '"type":"status","phase":"copying"' '{{output}}' && break; sleep 0.05; done
            kill -{{signal}} $pid
            wait $pid
            echo "exit=$?"
            """;
        using var shell = StartProcess("bash", ["-c", script, "bash", "dotnet", CliDll, "alter", "--dsn", PgServer.Dsn(), "--table", $"{schema.Name}.orders", "--alter", "ADD COLUMN note text",
            "--execute", "--capture", capture, "--max-rows-per-second", "2000", "--chunk-size", "200", "--output", "json"]);
        var shellOut = await shell.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await shell.WaitForExitAsync(timeout.Token);
        var cliOut = await File.ReadAllTextAsync(output);
        File.Delete(output);

        Assert.True(shellOut.Contains($"exit={ExitCodes.Cancelled}", StringComparison.Ordinal), $"{shellOut}\n{cliOut}");
        Assert.Contains("\"outcome\":\"cancelled\"", cliOut, StringComparison.Ordinal);
        Assert.Contains($"received SIG{signal}", cliOut, StringComparison.Ordinal);
        Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
        await PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, "orders");
    }

    [Fact]
    public async Task Alter_DryRun_ReportsPlanAndEstimateAndChangesNothing()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(20_000);
        var before = await PgCatalogSnapshot.TakeAsync(schema.Name);

        using var process = StartCli("alter", "--dsn", PgServer.Dsn(), "--table", $"{schema.Name}.orders", "--alter", "ADD COLUMN note text", "--output", "json");
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, stdout + stderr);
        var result = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last()).RootElement;
        Assert.Equal("dry-run", result.GetProperty("outcome").GetString());
        Assert.True(result.GetProperty("sample_rows_per_second").GetDouble() > 0);
        Assert.True(result.GetProperty("estimated_copy_seconds").GetDouble() >= 0);
        var plan = result.GetProperty("plan").EnumerateArray().Select(p => p.GetProperty("sql").GetString()!).ToList();
        Assert.Contains(plan, s => s.StartsWith("CREATE TRIGGER", StringComparison.Ordinal));
        Assert.Contains(plan, s => s.Contains("IN ACCESS EXCLUSIVE MODE", StringComparison.Ordinal));
        Assert.Contains(plan, s => s.Contains("ADD COLUMN note text", StringComparison.Ordinal));

        // The dry run also carries the plan/lint review: ADD COLUMN without a default is metadata-only.
        var review = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.Contains("\"type\":\"review\"", StringComparison.Ordinal))).RootElement;
        Assert.Equal("native", review.GetProperty("plan").GetProperty("recommendation").GetString());
        Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
    }

    [Theory]
    [InlineData("trigger", "trigger")]
    [InlineData("logical", "replication slot")]
    public async Task Cleanup_AfterSigkilledRun_RemovesLeftoversOnly(string capture, string leftover)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(30_000);
        var before = await PgCatalogSnapshot.TakeAsync(schema.Name);

        using (var process = StartCli("alter", "--dsn", PgServer.Dsn(), "--table", $"{schema.Name}.orders", "--alter", "ADD COLUMN note text", "--execute", "--capture", capture, "--max-rows-per-second", "2000", "--chunk-size", "200", "--output", "json"))
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line && !line.Contains("\"copying\"", StringComparison.Ordinal))
            {
            }

            process.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
            await process.WaitForExitAsync();
        }

        Assert.NotEqual(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
        var refused = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text"));
        Assert.Equal(ExitCodes.Leftovers, refused.ExitCode);

        using var cleanup = StartCli("cleanup", "--dsn", PgServer.Dsn(), "--table", $"{schema.Name}.orders");
        var output = await cleanup.StandardOutput.ReadToEndAsync();
        await cleanup.WaitForExitAsync();
        Assert.True(cleanup.ExitCode == 0, output + await cleanup.StandardError.ReadToEndAsync());
        Assert.Contains(leftover, output, StringComparison.Ordinal);
        Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
        await PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, "orders");
    }

    [Fact]
    public async Task Alter_PasswordInDsn_RefusedBeforeConnecting()
    {
        using var process = StartCli("alter", "--dsn", "postgres://u:hunter2@127.0.0.1:1/db", "--table", "t", "--alter", "ADD COLUMN x int", "--execute");
        var all = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(ExitCodes.UsageError, process.ExitCode);
        Assert.Contains("must not contain a password", all, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alter_VerboseRun_NeverPrintsThePassword()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(2_000);
        using var process = StartCli("alter", "--dsn", PgServer.Dsn(), "--table", $"{schema.Name}.orders", "--alter", "ADD COLUMN note text", "--execute", "--verbose", "--output", "json");
        var all = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, all);
        Assert.DoesNotContain(PgServer.Password, all, StringComparison.Ordinal);
    }

    private static string CliDll => CliProcess.Dll;

    internal static Process StartCli(params string[] args) => StartProcess("dotnet", [CliDll, .. args]);

    private static Process StartProcess(string program, string[] args) => CliProcess.Start(program, args, PgServer.Password, "PGPASSWORD");
}
