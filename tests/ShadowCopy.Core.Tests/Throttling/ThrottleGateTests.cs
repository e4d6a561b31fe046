using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Tests.Fakes;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Tests.Throttling;

public sealed class ThrottleGateTests
{
    private static readonly AlterOptions Base = new()
    {
        Table = new TableName("public", "orders"),
        Alter = "ADD COLUMN n int",
        Execute = true,
        ThrottleCheckInterval = TimeSpan.FromSeconds(1),
    };

    [Fact]
    public async Task CheckAsync_unreadable_load_fails_closed()
    {
        var options = Base with { MaxLoad = [new LoadThreshold("Threads_running", 25)] };
        var probe = new ScriptedProbe { Load = () => throw new InvalidOperationException("connection reset") };
        var gate = new ThrottleGate(options, new RunControl(options), probe, []);

        var reason = await gate.CheckAsync(cancellationToken: CancellationToken.None);

        Assert.NotNull(reason);
        Assert.Contains("cannot read server load (connection reset)", reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_unreadable_replica_fails_closed()
    {
        var options = Base with { MaxLag = TimeSpan.FromSeconds(1) };
        var probe = new ScriptedProbe { Lags = () => [new ReplicaLag("replica1", null, "timeout")] };
        var gate = new ThrottleGate(options, new RunControl(options), probe, []);

        Assert.Contains("replica replica1 unreadable (timeout)", await gate.CheckAsync(cancellationToken: CancellationToken.None), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckAsync_max_load_changed_by_the_operator_applies_at_the_next_server_check()
    {
        var options = Base;
        var control = new RunControl(options);
        var time = new ManualTimeProvider();
        var probe = new ScriptedProbe { Load = () => new Dictionary<string, double> { ["Threads_running"] = 30 } };
        var gate = new ThrottleGate(options, control, probe, [], time);
        Assert.Null(await gate.CheckAsync(cancellationToken: CancellationToken.None));

        ControlCommands.Execute("max-load=Threads_running=25", control);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("max-load Threads_running=30 > 25", await gate.CheckAsync(cancellationToken: CancellationToken.None));
    }

    [Fact]
    public async Task CheckAsync_critical_load_aborts_only_after_its_grace()
    {
        var options = Base with { CriticalLoad = [new LoadThreshold("Threads_running", 200)], CriticalLoadGrace = TimeSpan.FromSeconds(10) };
        var control = new RunControl(options);
        using var run = new CancellationTokenSource();
        control.PanicRequested += _ => run.Cancel();
        var time = new ManualTimeProvider();
        var load = 300.0;
        var probe = new ScriptedProbe { Load = () => new Dictionary<string, double> { ["Threads_running"] = load } };
        var gate = new ThrottleGate(options, control, probe, [], time);

        Assert.Contains("critical load Threads_running=300 > 200; aborting in 10 s", await gate.CheckAsync(cancellationToken: run.Token), StringComparison.Ordinal);
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Contains("aborting in 4 s", await gate.CheckAsync(cancellationToken: run.Token), StringComparison.Ordinal);

        // It drops: the grace starts again from the next breach.
        load = 100;
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await gate.CheckAsync(cancellationToken: run.Token));
        load = 300;
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Contains("aborting in 10 s", await gate.CheckAsync(cancellationToken: run.Token), StringComparison.Ordinal);
        Assert.Null(control.PanicReason);

        time.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.CheckAsync(cancellationToken: run.Token));
        Assert.Equal("critical load Threads_running=300 > 200", control.PanicReason);
    }

    [Fact]
    public async Task CheckAsync_zero_grace_aborts_at_once()
    {
        var options = Base with { CriticalLoad = [new LoadThreshold("Threads_running", 200)] };
        var control = new RunControl(options);
        using var run = new CancellationTokenSource();
        control.PanicRequested += _ => run.Cancel();
        var probe = new ScriptedProbe { Load = () => new Dictionary<string, double> { ["Threads_running"] = 201 } };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ThrottleGate(options, control, probe, []).CheckAsync(cancellationToken: run.Token));
        Assert.NotNull(control.PanicReason);
    }

    [Fact]
    public async Task CheckAsync_operator_throttle_throttles()
    {
        var control = new RunControl(Base);
        var gate = new ThrottleGate(Base, control, null, []);

        ControlCommands.Execute("throttle", control);
        Assert.Equal("operator: ctl throttle", await gate.CheckAsync(cancellationToken: CancellationToken.None));
        ControlCommands.Execute("no-throttle", control);
        Assert.Null(await gate.CheckAsync(cancellationToken: CancellationToken.None));
    }
}
