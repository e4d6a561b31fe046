using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Tests.Fakes;

namespace ShadowCopy.Core.Tests.Engine;

/// <summary>Operator control, hooks and journal events through the runner, against the scripted backend.</summary>
public sealed class AlterRunnerControlTests
{
    private const string Cleanup = nameof(IAlterBackend.CleanupAsync);
    private const string CutOver = nameof(IAlterBackend.TryCutOverAsync);

    private static readonly AlterOptions Fast = AlterRunnerTests.Fast with { HookRetryInterval = TimeSpan.FromMilliseconds(50) };

    [Fact]
    public async Task RunAsync_panic_during_copy_cleans_up_and_exits_9()
    {
        var control = new RunControl(Fast);
        var backend = new FakeAlterBackend
        {
            Chunks = 100,
            OnCopyChunk = (call, size) =>
            {
                if (call == 2)
                {
                    ControlCommands.Execute("panic", control);
                }

                return new ChunkResult(100, false, TimeSpan.FromMilliseconds(1));
            },
        };
        var hooks = new ScriptedHooks();
        var observer = new RecordingObserver();

        var result = await RunAsync(backend, Fast, new RunServices { Control = control, Hooks = hooks, Observer = observer });

        Assert.Equal(ExitCodes.Aborted, result.ExitCode);
        Assert.Equal("aborted", result.Outcome);
        Assert.Contains("operator: ctl panic", result.Message, StringComparison.Ordinal);
        Assert.Equal(1, backend.CountOf(Cleanup));
        Assert.Equal(0, backend.CountOf(CutOver));
        Assert.Equal(2, backend.CountOf(nameof(IAlterBackend.CopyChunkAsync)));
        Assert.Equal([HookNames.Startup, HookNames.Failure], hooks.Calls.Select(c => c.Hook));
        Assert.Equal(9, hooks.Calls[^1].Context.ExitCode);
        Assert.Contains(observer.Events, e => e.Kind == RunEventKinds.OperatorCommand && (string)e.Data["command"]! == "panic");
        Assert.Equal(ExitCodes.Aborted, observer.Events[^1].Data["exit_code"]);
    }

    [Fact]
    public async Task RunAsync_requested_chunk_size_is_used_for_the_next_chunk()
    {
        var control = new RunControl(Fast);
        var backend = new FakeAlterBackend
        {
            Chunks = 4,
            OnCopyChunk = (call, size) =>
            {
                if (call == 2)
                {
                    control.RequestChunkSize(777);
                }

                return new ChunkResult(size, call >= 4, TimeSpan.FromMilliseconds(10));
            },
        };

        var result = await RunAsync(backend, Fast, new RunServices { Control = control });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(777, backend.ChunkSizesRequested[2]);
        Assert.NotEqual(777, backend.ChunkSizesRequested[1]);
    }

    [Fact]
    public async Task RunAsync_postponed_by_the_operator_waits_until_unpostponed()
    {
        var control = new RunControl(Fast with { PostponeCutOver = true });
        var sink = new RecordingStatusSink();
        var backend = new FakeAlterBackend();
        sink.OnPhaseEntered = phase =>
        {
            if (phase == Phase.Postponed)
            {
                Assert.Equal(0, backend.CountOf(CutOver));
                Assert.Contains("postponed by the operator", control.PostponeReason, StringComparison.Ordinal);
                _ = Task.Run(async () =>
                {
                    await Task.Delay(300);
                    Assert.Equal(0, backend.CountOf(CutOver));
                    ControlCommands.Execute("unpostpone", control);
                });
            }
        };

        var result = await RunAsync(backend, Fast, new RunServices { Control = control }, sink);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(1, backend.CountOf(CutOver));
        var postponed = sink.Phases.IndexOf(Phase.Postponed);
        Assert.True(postponed >= 0 && sink.Phases.IndexOf(Phase.CuttingOver) > postponed, string.Join(",", sink.Phases));
        Assert.Null(control.PostponeReason);
    }

    [Fact]
    public async Task RunAsync_failing_before_cut_over_hook_postpones_and_retries_until_it_succeeds()
    {
        var hooks = new ScriptedHooks
        {
            Outcome = (hook, count) => hook == HookNames.BeforeCutOver && count <= 2 ? new HookOutcome(false, "maintenance window closed") : HookOutcome.None,
        };
        var sink = new RecordingStatusSink();
        var backend = new FakeAlterBackend();

        var result = await RunAsync(backend, Fast, new RunServices { Hooks = hooks }, sink);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(
            [HookNames.Startup, HookNames.RowCopyComplete, HookNames.Validated, HookNames.BeforeCutOver, HookNames.BeforeCutOver, HookNames.BeforeCutOver, HookNames.Success],
            hooks.Calls.Where(c => c.Hook != HookNames.Status).Select(c => c.Hook));
        Assert.Contains(Phase.Postponed, sink.Phases);
        Assert.Contains(sink.Messages, m => m.Contains("maintenance window closed", StringComparison.Ordinal));
        Assert.Equal(1, backend.CountOf(CutOver));
        var context = hooks.Calls.First(c => c.Hook == HookNames.RowCopyComplete).Context;
        Assert.Equal(300, context.RowsCopied);
        Assert.Equal("public.orders", context.Table);
    }

    [Fact]
    public async Task RunAsync_unreadable_server_load_throttles_the_copy_until_it_can_be_read()
    {
        var backend = new FakeAlterBackend();
        var failures = 0;
        backend.OnReadLoad = () =>
        {
            if (++failures <= 3)
            {
                Assert.Equal(0, backend.CountOf(nameof(IAlterBackend.CopyChunkAsync)));
                throw new InvalidOperationException("probe session lost");
            }

            return new Dictionary<string, double> { ["Threads_running"] = 1 };
        };
        var observer = new RecordingObserver();
        var options = Fast with { MaxLoad = [new ShadowCopy.Core.Model.LoadThreshold("Threads_running", 25)], ThrottleCheckInterval = TimeSpan.FromMilliseconds(1) };

        var result = await RunAsync(backend, options, new RunServices { Observer = observer });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.True(failures > 3);
        var throttles = observer.Events.Where(e => e.Kind == RunEventKinds.Throttle).ToList();
        Assert.Contains("cannot read server load (probe session lost)", (string)throttles[0].Data["reason"]!, StringComparison.Ordinal);
        Assert.False((bool)throttles[^1].Data["throttled"]!);
    }

    [Fact]
    public async Task RunAsync_critical_load_beyond_its_grace_aborts_with_9_and_cleans_up()
    {
        var backend = new FakeAlterBackend { Chunks = 1_000_000, OnReadLoad = () => new Dictionary<string, double> { ["Threads_running"] = 300 } };
        var options = Fast with
        {
            CriticalLoad = [new ShadowCopy.Core.Model.LoadThreshold("Threads_running", 200)],
            CriticalLoadGrace = TimeSpan.FromMilliseconds(300),
            ThrottleCheckInterval = TimeSpan.FromMilliseconds(1),
        };

        var result = await RunAsync(backend, options, new RunServices());

        Assert.Equal(ExitCodes.Aborted, result.ExitCode);
        Assert.Contains("critical load Threads_running=300 > 200", result.Message, StringComparison.Ordinal);
        Assert.Equal(1, backend.CountOf(Cleanup));
        Assert.Equal(0, backend.CountOf(CutOver));
        Assert.Equal(0, backend.CountOf(nameof(IAlterBackend.CopyChunkAsync))); // throttled during the grace
    }

    [Fact]
    public async Task RunAsync_failing_startup_hook_aborts_with_9_before_anything_is_created()
    {
        var hooks = new ScriptedHooks { Outcome = (hook, _) => hook == HookNames.Startup ? new HookOutcome(false, "no") : HookOutcome.None };
        var backend = new FakeAlterBackend();

        var result = await RunAsync(backend, Fast, new RunServices { Hooks = hooks });

        Assert.Equal(ExitCodes.Aborted, result.ExitCode);
        Assert.Empty(backend.PhaseCalls);
    }

    [Fact]
    public async Task RunAsync_journal_gets_started_phases_and_finished_in_order()
    {
        var observer = new RecordingObserver();

        await RunAsync(new FakeAlterBackend(), Fast, new RunServices { Observer = observer, Identity = new RunIdentity { Engine = "postgres", Database = "shop" } });

        var kinds = observer.Events.Select(e => e.Kind).ToList();
        Assert.Equal(RunEventKinds.RunStarted, kinds[0]);
        Assert.Equal(RunEventKinds.RunFinished, kinds[^1]);
        Assert.Equal("shop", observer.Events[0].Data["database"]);
        Assert.Equal(
            ["Preflight", "CreatingShadow", "InstallingCapture", "Copying", "CatchingUp", "Verifying", "CuttingOver", "CleaningUp", "Done"],
            observer.Events.Where(e => e.Kind == RunEventKinds.Phase).Select(e => (string)e.Data["to"]!));
        Assert.Contains(observer.Events, e => e.Kind == RunEventKinds.CutOverAttempt);
        Assert.Contains(observer.Events, e => e.Kind == RunEventKinds.Validation && (string)e.Data["gate"]! == "verify-passed");
    }

    [Fact]
    public async Task RunAsync_revertible_status_says_from_the_swap_on_before_and_since_behind_held_after_it()
    {
        var options = Fast with { Revertible = true };
        var control = new RunControl(options);
        string? before = null;
        string? during = null;
        var backend = new FakeAlterBackend
        {
            OnCutOver = _ =>
            {
                before = ControlCommands.Execute("status", control);
                return new CutOverAttempt(true, false, 1, null);
            },
            OnAfterCutOver = () => during = ControlCommands.Execute("status", control) + "\n" + ControlCommands.Execute("status json", control),
        };
        var observer = new RecordingObserver();

        var result = await RunAsync(backend, options, new RunServices { Control = control, Observer = observer });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("revertible: from the swap on", before, StringComparison.Ordinal);
        Assert.Contains("revertible: since ", during, StringComparison.Ordinal);
        Assert.Contains("behind: 0 rows (the reverse triggers write the old table in the writer's own transaction", during, StringComparison.Ordinal);
        Assert.Contains("held: none (no binlog or WAL is kept", during, StringComparison.Ordinal);
        Assert.Contains("\"behind_rows\":0", during, StringComparison.Ordinal);
        Assert.Contains("\"held_bytes\":0", during, StringComparison.Ordinal);
        var revertible = Assert.Single(observer.Events, e => e.Kind == RunEventKinds.Revertible);
        Assert.Equal(0L, revertible.Data["behind_rows"]);
        Assert.Equal(0L, revertible.Data["held_bytes"]);
        Assert.Null(revertible.Data["misfits"]);
        Assert.Contains("rows that do not fit back: counted by `shadowcopy revert", during, StringComparison.Ordinal);
        Assert.NotNull(revertible.Data["revertible_since"]);
    }

    [Fact]
    public async Task RunAsync_not_revertible_says_nothing_of_it()
    {
        var control = new RunControl(Fast);
        var observer = new RecordingObserver();

        var result = await RunAsync(new FakeAlterBackend(), Fast, new RunServices { Control = control, Observer = observer });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.DoesNotContain("revertible", ControlCommands.Execute("status", control), StringComparison.Ordinal);
        Assert.DoesNotContain(observer.Events, e => e.Kind == RunEventKinds.Revertible);
    }

    private static Task<AlterResult> RunAsync(FakeAlterBackend backend, AlterOptions options, RunServices services, RecordingStatusSink? sink = null) =>
        new AlterRunner(backend, options, sink ?? new RecordingStatusSink(), NullLogger.Instance, services: services).RunAsync(CancellationToken.None);
}
