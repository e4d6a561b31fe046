using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;
using ShadowCopy.MySql;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// The application-latency guard (ADR 0033) on MariaDB: a budget no key read can meet makes the
/// run pace its copy and verification, shows both figures in status, and still ends with the
/// table equal to a control table written by four writers in the same transactions.
/// </summary>
[Collection("mysql")]
public sealed class MyAppLatencyGuardTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task Tiny_budget_paces_the_run_shows_both_figures_and_matches_control(CaptureMode capture)
    {
        var name = MyServer.UniqueName("lat");
        var layout = new MyTableLayout(name);
        var budget = TimeSpan.FromTicks(10); // 1 µs: every read is over it
        try
        {
            var run = await MyLoadRun.ExecuteAsync(layout, 10_000, MyAlterHarness.Options(name, "ADD COLUMN note VARCHAR(10)") with { MaxAppLatency = budget }, capture);
            output.WriteLine($"{capture}: {run}; app latency baseline {run.Result.AppLatencyBaseline?.TotalMilliseconds:0.000} ms, paced {run.Result.AppLatencyPaced.TotalSeconds:0.00} s");

            run.AssertSucceeded(await layout.DiffAsync());
            Assert.NotNull(run.Result.AppLatencyBaseline);
            Assert.Equal(budget, run.Result.AppLatencyBudget);
            Assert.True(run.Result.AppLatencyPaced > TimeSpan.Zero, "the guard never paced under a 1 µs budget");
            Assert.Contains(run.Sink.Statuses, s => s.Phase == Phase.Copying && s.AppLatency > budget && s.AppLatencyBudget == budget && s.AppLatencyPaced > TimeSpan.Zero && s.AppLatencyDetail!.EndsWith(", pacing", StringComparison.Ordinal));
            Assert.Contains(run.Sink.Statuses, s => StatusText.Line(s).Contains("app latency ", StringComparison.Ordinal));
            var control = await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Control));
            var table = await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Table));
            Assert.True(control == table, $"checksums differ: {control} vs {table}\n{await layout.DiffAsync()}");
        }
        finally
        {
            await MyServer.DropAsync(name);
        }
    }

    [Fact]
    public async Task Default_budget_is_three_times_the_measured_baseline_with_a_floor_and_off_means_no_guard()
    {
        var name = MyServer.UniqueName("lad");
        try
        {
            await new MyTableLayout(name).CreateAsync(2_000);
            var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, "ADD COLUMN note VARCHAR(10)") with { DropOldTable = true }, CaptureMode.Trigger);
            Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
            Assert.NotNull(result.AppLatencyBaseline);
            Assert.Equal(AppLatencyGuard.DefaultBudget(result.AppLatencyBaseline), result.AppLatencyBudget);
            Assert.True(result.AppLatencyBudget >= AppLatencyGuard.Floor);

            var off = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, "DROP COLUMN note") with { AppLatencyOff = true, DropOldTable = true }, CaptureMode.Trigger);
            Assert.True(off.ExitCode == ExitCodes.Success, off.Message);
            Assert.Null(off.AppLatencyBaseline);
            Assert.Equal(TimeSpan.Zero, off.AppLatencyPaced);
        }
        finally
        {
            await MyServer.DropAsync(name);
        }
    }
}
