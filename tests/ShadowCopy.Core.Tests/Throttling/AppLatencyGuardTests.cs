using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Tests.Throttling;

public sealed class AppLatencyGuardTests
{
    private static readonly AlterOptions Base = new()
    {
        Table = new TableName("public", "orders"),
        Alter = "ADD COLUMN n int",
        Execute = true,
    };

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    /// <summary>A guard whose probe returns the scripted reads in turn (the last one repeats) and whose sleeps are only recorded.</summary>
    private static (AppLatencyGuard Guard, List<TimeSpan> Slept) Guard(AlterOptions options, params double[] readsMs)
    {
        var next = 0;
        var slept = new List<TimeSpan>();
        var guard = new AppLatencyGuard(
            _ => Task.FromResult(Ms(readsMs[Math.Min(next++, readsMs.Length - 1)])),
            new RunControl(options),
            (delay, _) =>
            {
                slept.Add(delay);
                return Task.CompletedTask;
            });
        return (guard, slept);
    }

    [Fact]
    public async Task Baseline_is_the_median_of_the_reads_before_the_copy()
    {
        // 19 reads of 2 ms and one outlier of 500 ms: the outlier does not move the baseline.
        var (guard, _) = Guard(Base, [500, .. Enumerable.Repeat(2.0, 19)]);

        Assert.Null(await guard.MeasureBaselineAsync(CancellationToken.None));

        Assert.Equal(Ms(2), guard.Baseline);
        Assert.Equal(Ms(2), guard.Measured);
    }

    [Fact]
    public async Task Default_budget_is_three_times_the_baseline()
    {
        var (guard, _) = Guard(Base, 4);
        await guard.MeasureBaselineAsync(CancellationToken.None);

        Assert.Equal(Ms(12), guard.Budget);
    }

    [Fact]
    public async Task Default_budget_has_a_floor_so_sub_millisecond_noise_does_not_pace()
    {
        var (guard, slept) = Guard(Base, [.. Enumerable.Repeat(0.2, 20), 0.9]);
        await guard.MeasureBaselineAsync(CancellationToken.None);
        for (var i = 0; i < AppLatencyGuard.WindowSize; i++)
        {
            await guard.SampleAsync(CancellationToken.None);
        }

        // 0.9 ms is 4.5x the baseline but under the 5 ms floor.
        Assert.Equal(AppLatencyGuard.Floor, guard.Budget);
        Assert.Equal(Ms(0.9), guard.Measured);
        Assert.Equal(TimeSpan.Zero, await guard.PaceAsync(Ms(500), CancellationToken.None));
        Assert.Empty(slept);
        Assert.False(guard.Pacing);
    }

    [Fact]
    public async Task Over_budget_paces_in_proportion_to_the_overshoot_and_the_work()
    {
        var (guard, slept) = Guard(Base with { MaxAppLatency = Ms(10) }, [.. Enumerable.Repeat(1.0, 20), 15]);
        await guard.MeasureBaselineAsync(CancellationToken.None);
        for (var i = 0; i < AppLatencyGuard.WindowSize; i++)
        {
            await guard.SampleAsync(CancellationToken.None);
        }

        // 15 ms against 10 ms: half the chunk's time again.
        var wait = await guard.PaceAsync(Ms(400), CancellationToken.None);

        Assert.Equal(Ms(200), wait);
        Assert.Equal([Ms(200)], slept);
        Assert.Equal(Ms(200), guard.Paced);
        Assert.True(guard.Pacing);
        Assert.Equal("app latency 15.0 ms / budget 10.0 ms, pacing", guard.Describe());
    }

    [Fact]
    public void Pacing_is_capped_at_four_times_the_work_so_the_run_never_stops()
    {
        Assert.Equal(Ms(2000), AppLatencyGuard.PaceFor(Ms(500), Ms(1000), Ms(5)));
        Assert.Equal(Ms(500), AppLatencyGuard.PaceFor(Ms(500), Ms(10), Ms(5)));
        Assert.Equal(TimeSpan.Zero, AppLatencyGuard.PaceFor(Ms(500), Ms(5), Ms(5)));
        Assert.Equal(TimeSpan.Zero, AppLatencyGuard.PaceFor(Ms(500), null, Ms(5)));
    }

    [Fact]
    public async Task The_window_is_the_median_of_the_last_reads_so_the_guard_lets_go_when_latency_falls()
    {
        var (guard, _) = Guard(Base with { MaxAppLatency = Ms(10) }, [.. Enumerable.Repeat(1.0, 20), .. Enumerable.Repeat(30.0, 8), 2]);
        await guard.MeasureBaselineAsync(CancellationToken.None);
        for (var i = 0; i < 8; i++)
        {
            await guard.SampleAsync(CancellationToken.None);
        }

        Assert.True(guard.Pacing);
        for (var i = 0; i < 5; i++)
        {
            await guard.SampleAsync(CancellationToken.None);
        }

        Assert.Equal(Ms(2), guard.Measured);
        Assert.False(guard.Pacing);
    }

    [Fact]
    public async Task A_failed_read_keeps_the_window_and_is_shown()
    {
        var calls = 0;
        var guard = new AppLatencyGuard(
            _ => ++calls > 20 ? throw new InvalidOperationException("connection reset") : Task.FromResult(Ms(1)),
            new RunControl(Base));
        await guard.MeasureBaselineAsync(CancellationToken.None);

        await guard.SampleAsync(CancellationToken.None);

        Assert.Equal(Ms(1), guard.Measured);
        Assert.Contains("last read failed: connection reset", guard.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Operator_budget_and_off_take_effect_at_once()
    {
        var options = Base;
        var control = new RunControl(options);
        var slept = new List<TimeSpan>();
        var guard = new AppLatencyGuard(_ => Task.FromResult(Ms(8)), control, (d, _) => { slept.Add(d); return Task.CompletedTask; });
        await guard.MeasureBaselineAsync(CancellationToken.None);
        Assert.Equal(TimeSpan.Zero, await guard.PaceAsync(Ms(100), CancellationToken.None));

        Assert.StartsWith("ok: max-app-latency 4ms", ControlCommands.Execute("max-app-latency=4ms", control), StringComparison.Ordinal);
        Assert.Equal(Ms(100), await guard.PaceAsync(Ms(100), CancellationToken.None));

        Assert.StartsWith("ok: max-app-latency off", ControlCommands.Execute("max-app-latency off", control), StringComparison.Ordinal);
        Assert.Null(guard.Budget);
        Assert.Equal(TimeSpan.Zero, await guard.PaceAsync(Ms(100), CancellationToken.None));

        ControlCommands.Execute("max-app-latency auto", control);
        Assert.Equal(Ms(24), guard.Budget);
        Assert.StartsWith(ControlCommands.ErrorPrefix, ControlCommands.Execute("max-app-latency=fast", control), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartForAsync_off_or_unsupported_gives_no_guard()
    {
        var messages = new List<string>();
        Assert.Null(await AppLatencyGuard.StartForAsync(new Fakes.ScriptedProbe(), ["id"], new RunControl(Base with { AppLatencyOff = true }), messages.Add, CancellationToken.None));
        Assert.Empty(messages);

        // The scripted probe cannot time a key read (the interface's default): the run goes on unguarded, with a warning.
        Assert.Null(await AppLatencyGuard.StartForAsync(new Fakes.ScriptedProbe(), ["id"], new RunControl(Base), messages.Add, CancellationToken.None));
        Assert.Contains(messages, m => m.StartsWith("warning: app-latency guard off", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("250us", 0.25)]
    [InlineData("1.5ms", 1.5)]
    public void Durations_take_microseconds(string text, double ms)
    {
        Assert.True(DurationParser.TryParse(text, out var value));
        Assert.Equal(Ms(ms), value);
    }
}
