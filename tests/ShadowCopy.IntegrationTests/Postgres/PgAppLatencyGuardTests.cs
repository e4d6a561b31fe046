using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;
using ShadowCopy.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// The application-latency guard (ADR 0033) on PostgreSQL: a budget no key read can meet makes the
/// run pace its copy and verification, shows both figures in status, and still ends with the table
/// equal to a control table written by four writers in the same transactions.
/// </summary>
[Collection("postgres")]
public sealed class PgAppLatencyGuardTests(ITestOutputHelper output)
{
    private const long SeedRows = 10_000;

    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Tiny_budget_paces_the_run_shows_both_figures_and_matches_control(string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(SeedRows);
        var budget = TimeSpan.FromTicks(10); // 1 µs: every read is over it

        await using var load = new PgWriterLoad(layout, writers: 4);
        await load.StartAsync(SeedRows);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
        var sink = new RecordingStatusSink();
        var result = await PgAlterHarness.RunAsync(
            PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text") with { MaxAppLatency = budget },
            sink: sink,
            capture: PgAlterHarness.Logical with { Mode = capture });
        await load.WaitForOperationsAsync(load.Operations + 100, TimeSpan.FromSeconds(30));
        await load.StopAsync();
        output.WriteLine($"{capture}: exit {result.ExitCode}, {result.Duration.TotalSeconds:0.0} s, baseline {result.AppLatencyBaseline?.TotalMilliseconds:0.000} ms, paced {result.AppLatencyPaced.TotalSeconds:0.00} s, writer ops {load.Operations}");

        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
        Assert.NotNull(result.AppLatencyBaseline);
        Assert.Equal(budget, result.AppLatencyBudget);
        Assert.True(result.AppLatencyPaced > TimeSpan.Zero, "the guard never paced under a 1 µs budget");
        Assert.Contains(sink.Statuses, s => s.Phase == Phase.Copying && s.AppLatency > budget && s.AppLatencyBudget == budget && s.AppLatencyPaced > TimeSpan.Zero && s.AppLatencyDetail!.EndsWith(", pacing", StringComparison.Ordinal));
        Assert.Equal(
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
    }

    [Fact]
    public async Task Default_budget_is_three_times_the_measured_baseline_with_a_floor()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(2_000);

        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text"), capture: PgAlterHarness.Logical with { Mode = "trigger" });

        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        Assert.NotNull(result.AppLatencyBaseline);
        Assert.Equal(AppLatencyGuard.DefaultBudget(result.AppLatencyBaseline), result.AppLatencyBudget);
        Assert.True(result.AppLatencyBudget >= AppLatencyGuard.Floor);
    }
}
