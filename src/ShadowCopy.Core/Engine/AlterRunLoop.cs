using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Logging;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.State;
using ShadowCopy.Core.Throttling;
using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.Engine;

/// <summary>
/// The live services of one alter run that every phase loop shares (<see cref="IRunLoop"/>): the
/// applier between units of work, the throttle gate, the latency guard, the periodic tick (status,
/// checkpoint, on-status hook), journal events and hooks, and the run's phase and counters. The
/// <see cref="AlterRunner"/> sequences the phases; this holds what they have in common.
/// </summary>
internal sealed class AlterRunLoop : IRunLoop
{
    private readonly IAlterBackend _backend;
    private readonly AlterOptions _options;
    private readonly IStatusSink _sink;
    private readonly ILogger _logger;
    private readonly ThrottleGate _gate;
    private readonly RunControl _control;
    private readonly IRunObserver? _observer;
    private readonly IRunHooks? _hooks;
    private readonly RunIdentity _identity;
    private readonly IResumableBackend? _resumable;
    private readonly RunState _state;
    private readonly Stopwatch _clock = new();
    private readonly AdaptiveChunkSizer _sizer;
    private CopyScheduler? _copy;
    private VerificationLoop? _verification;
    private AppLatencyGuard? _latency;
    private TimeSpan _lastStatus = TimeSpan.FromDays(-1);
    private TimeSpan _lastCheckpoint = TimeSpan.FromDays(-1);
    private TimeSpan _lastStatusHook;
    private Task _statusHook = Task.CompletedTask;

    public AlterRunLoop(IAlterBackend backend, AlterOptions options, IStatusSink sink, ILogger logger, RunServices services, RunControl control, IReadOnlyList<IThrottler>? throttlers, AdaptiveChunkSizer sizer)
    {
        _backend = backend;
        _options = options;
        _sink = sink;
        _logger = logger;
        _control = control;
        _observer = services.Observer;
        _hooks = services.Hooks;
        _identity = services.Identity;
        _resumable = backend as IResumableBackend;
        _sizer = sizer;
        var list = new List<IThrottler>(throttlers ?? []);
        if (options.ThrottleFlagFile is { } flag)
        {
            list.Add(new FlagFileThrottler(flag));
        }

        _gate = new ThrottleGate(options, control, backend as IServerProbe, list);
        _state = new RunState(sink, logger)
        {
            Changed = (from, to, detail) => Emit(RunEventKinds.Phase, ("from", from.ToString()), ("to", to.ToString()), ("detail", detail)),
        };
    }

    public RunState State => _state;

    public TimeSpan Elapsed => _clock.Elapsed;

    public ThrottleGate Gate => _gate;

    /// <summary>True when hooks are configured (an on-before-cut-over hook may hold the cut-over).</summary>
    public bool HasHooks => _hooks is not null;

    /// <summary>True once the copy finished (saved with every checkpoint).</summary>
    public bool CopyDone { get; set; }

    /// <summary>The latency guard, once started (null: off or unavailable); its figures outlive it for the result.</summary>
    public AppLatencyGuard? Latency => _latency;

    /// <summary>The on-status hook in flight, if any (the run waits for it at the end).</summary>
    public Task StatusHook => _statusHook;

    public void Start() => _clock.Start();

    /// <summary>The phases whose figures the status shows.</summary>
    public void Attach(CopyScheduler copy, VerificationLoop verification) => (_copy, _verification) = (copy, verification);

    /// <summary>Measures the baseline before the copy adds its own load, then paces copy and verification (ADR 0033).</summary>
    public async Task StartLatencyGuardAsync(IReadOnlyList<string> keyColumns, CancellationToken cancellationToken)
    {
        _latency = await AppLatencyGuard.StartForAsync(_backend as IServerProbe, keyColumns, _control, _sink.OnMessage, cancellationToken).ConfigureAwait(false);
        if (_latency is not null && _backend is IPacedVerification paced)
        {
            paced.AfterVerifyChunk = PaceAsync;
        }
    }

    public void Message(string text) => _sink.OnMessage(text);

    /// <summary>The latency guard's pause after one unit of work (a chunk copied or verified) that took <paramref name="work"/>.</summary>
    public async Task PaceAsync(TimeSpan work, CancellationToken cancellationToken)
    {
        if (_latency is not null)
        {
            await _latency.PaceAsync(work, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the guard's background reads; its figures stay for the result.</summary>
    public async Task StopLatencyGuardAsync()
    {
        if (_latency is { } guard && !_latencyStopped)
        {
            _latencyStopped = true;
            if (_backend is IPacedVerification paced)
            {
                paced.AfterVerifyChunk = null;
            }

            await guard.DisposeAsync().ConfigureAwait(false);
        }
    }

    private bool _latencyStopped;

    /// <summary>Updates the throttle state (journaling changes); true while copying must pause.</summary>
    public async Task<bool> ThrottleAsync(CancellationToken cancellationToken)
    {
        var reason = await _gate.CheckAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var was = _state.ThrottleReason;
        if (was?.StartsWith("rate limit", StringComparison.Ordinal) == true)
        {
            was = null;
        }

        if (reason != was)
        {
            if (reason is null)
            {
                Log.ThrottleLifted(_logger);
            }
            else
            {
                Log.Throttled(_logger, reason);
            }

            Emit(RunEventKinds.Throttle, ("throttled", reason is not null), ("reason", reason));
        }

        _state.ThrottleReason = reason;
        return reason is not null;
    }

    /// <summary>The periodic work of every loop: status, checkpoint, on-status hook.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        await ReportAsync(cancellationToken).ConfigureAwait(false);
        await CheckpointAsync(force: false, cancellationToken).ConfigureAwait(false);
        if (_hooks is not null && _options.Execute && _clock.Elapsed - _lastStatusHook >= _options.HookStatusInterval && _statusHook.IsCompleted)
        {
            _lastStatusHook = _clock.Elapsed;
            _statusHook = RunHookAsync(HookNames.Status, cancellationToken: cancellationToken);
        }
    }

    public async Task CheckpointAsync(bool force, CancellationToken cancellationToken)
    {
        if (_resumable is null || !_options.Execute || (!force && _clock.Elapsed - _lastCheckpoint < _options.CheckpointInterval))
        {
            return;
        }

        _lastCheckpoint = _clock.Elapsed;
        var progress = new RunProgress
        {
            Phase = _state.Phase,
            RowsCopied = _state.RowsCopied,
            ChangesApplied = _state.ChangesApplied,
            ChunksCopied = _state.ChunksCopied,
            CopyDone = CopyDone,
            RowsEstimated = _state.RowsEstimated,
        };
        try
        {
            await _resumable.SaveCheckpointAsync(progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException && !force)
        {
            // A missed periodic checkpoint costs only repeated work after a crash; the next one may succeed.
            Log.CheckpointFailed(_logger, error.Message);
        }
    }

    /// <summary>Applies captured changes until none are left or the time budget is spent.</summary>
    public async Task ApplyForAsync(TimeSpan budget, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < budget)
        {
            var applied = await _backend.ApplyChangesAsync(_options.ApplyBatchSize, cancellationToken).ConfigureAwait(false);
            _state.ChangesApplied += applied;
            if (applied < _options.ApplyBatchSize)
            {
                break;
            }
        }
    }

    public async Task CatchUpAsync(long threshold, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var applied = await _backend.ApplyChangesAsync(_options.ApplyBatchSize, cancellationToken).ConfigureAwait(false);
            _state.ChangesApplied += applied;
            _state.Backlog = await _backend.GetBacklogAsync(cancellationToken).ConfigureAwait(false);
            await _gate.CheckAsync(abortChecksOnly: true, cancellationToken).ConfigureAwait(false);
            await TickAsync(cancellationToken).ConfigureAwait(false);
            if (_state.Backlog <= threshold && applied < _options.ApplyBatchSize)
            {
                return;
            }
        }
    }

    public async Task ReportAsync(CancellationToken cancellationToken)
    {
        if (_clock.Elapsed - _lastStatus < _options.StatusInterval)
        {
            return;
        }

        _state.Backlog = await _backend.GetBacklogAsync(cancellationToken).ConfigureAwait(false);
        Report(force: true);
    }

    public void Report(bool force)
    {
        if (!force && _clock.Elapsed - _lastStatus < _options.StatusInterval)
        {
            return;
        }

        _lastStatus = _clock.Elapsed;
        var copySeconds = _copy?.Elapsed.TotalSeconds ?? 0;
        var rate = copySeconds > 0 ? _state.RowsCopied / copySeconds : 0;
        TimeSpan? eta = null;
        if (rate > 0 && _state.Phase == Phase.Copying)
        {
            var remaining = Math.Max(0, _state.RowsEstimated - _state.RowsCopied);
            eta = TimeSpan.FromSeconds(remaining / rate);
        }

        var snapshot = new StatusSnapshot(
            _state.Phase,
            _state.RowsCopied,
            Math.Max(_state.RowsEstimated, _state.RowsCopied),
            rate,
            eta,
            _state.Backlog,
            _state.ChangesApplied,
            _sizer.Current,
            _state.ThrottleReason,
            _clock.Elapsed)
        {
            CaptureDetail = (_backend as ICaptureStatus)?.CaptureDetail,
            LastChunkRows = _state.LastChunkSize,
            RowsVerifiedAfterCopy = _verification?.RowsVerifiedAfterCopy ?? 0,
            RowsUnverified = _verification?.RowsUnverified ?? 0,
            AppLatency = _latencyStopped ? null : _latency?.Measured,
            AppLatencyBudget = _latencyStopped ? null : _latency?.Budget,
            AppLatencyPaced = _latency?.Paced ?? TimeSpan.Zero,
            AppLatencyDetail = _latencyStopped ? null : _latency?.Describe(),
        };
        _control.LastStatus = snapshot;
        _sink.OnStatus(snapshot);
    }

    public void Emit(string kind, params (string Key, object? Value)[] data) => RunNotifications.Emit(_observer, _sink, kind, data);

    public void EmitRunStarted() => Emit(
        RunEventKinds.RunStarted,
        ("table", _options.Table.ToString()),
        ("alter", _options.Alter),
        ("engine", _identity.Engine),
        ("database", _identity.Database),
        ("capture", _identity.Capture),
        ("execute", _options.Execute),
        ("resume", _options.Resume),
        ("user", _identity.User),
        ("host", _identity.Host),
        ("operator", _identity.Operator),
        ("tool_version", _identity.ToolVersion));

    /// <summary>The run's last event; <paramref name="failure"/> (the exception, for the journal only) may be null.</summary>
    public void EmitRunFinished(AlterResult result, Exception? failure) => Emit(
        RunEventKinds.RunFinished,
        ("exit_code", result.ExitCode),
        ("outcome", result.Outcome),
        ("message", result.Message),
        ("error", failure?.ToString()),
        ("rows_copied", result.RowsCopied),
        ("changes_applied", result.ChangesApplied),
        ("duration_ms", (long)result.Duration.TotalMilliseconds));

    /// <summary>
    /// For as long as the returned subscription lives: a panic (ctl panic, panic flag file, critical
    /// load) cancels <paramref name="run"/>, and operator commands and schema-changing statements are
    /// journaled.
    /// </summary>
    public IDisposable Listen(CancellationTokenSource run)
    {
        void OnPanic(string reason) => run.Cancel();
        void OnCommand(string command, string reply) => Emit(RunEventKinds.OperatorCommand, ("command", command), ("reply", reply));
        void OnStatement(string step, string sql)
        {
            if (SqlClassifier.IsSchemaChange(sql))
            {
                Emit(RunEventKinds.Ddl, ("step", step), ("sql", sql));
            }
        }

        _control.PanicRequested += OnPanic;
        _control.CommandReceived += OnCommand;
        var transcript = _backend.Transcript;
        if (transcript is not null)
        {
            transcript.Executed += OnStatement;
        }

        return new Subscription(() =>
        {
            _control.PanicRequested -= OnPanic;
            _control.CommandReceived -= OnCommand;
            if (transcript is not null)
            {
                transcript.Executed -= OnStatement;
            }
        });
    }

    public async Task<HookOutcome> RunHookAsync(string hook, int? exitCode = null, string? failure = null, CancellationToken cancellationToken = default)
    {
        if (_hooks is null)
        {
            return HookOutcome.None;
        }

        var context = new HookContext
        {
            Engine = _identity.Engine,
            Database = _identity.Database,
            Table = _options.Table.ToString(),
            Alter = _options.Alter,
            Phase = _state.Phase.ToString(),
            Capture = _identity.Capture,
            RowsCopied = _state.RowsCopied,
            RowsEstimated = _state.RowsEstimated,
            ChangeBacklog = _state.Backlog,
            EtaSeconds = _control.LastStatus?.Eta?.TotalSeconds,
            ElapsedSeconds = _clock.Elapsed.TotalSeconds,
            ThrottleReason = _state.ThrottleReason,
            ExitCode = exitCode,
            FailureMessage = failure,
        };
        var outcome = await RunNotifications.RunHookAsync(_hooks, hook, context, _sink, cancellationToken).ConfigureAwait(false);
        if (!outcome.Succeeded)
        {
            Log.HookFailed(_logger, hook, outcome.Failure ?? "failed");
        }

        return outcome;
    }

    public async Task RunFinishedHooksAsync(AlterResult result)
    {
        if (_hooks is null || !_options.Execute)
        {
            return;
        }

        // Bounded by the hook runner's own timeout; not cancellable by the (possibly cancelled) run token.
        if (result.ExitCode == ExitCodes.Success)
        {
            await RunHookAsync(HookNames.Success, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            await RunHookAsync(HookNames.Failure, result.ExitCode, result.Message, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private sealed class Subscription(Action end) : IDisposable
    {
        public void Dispose() => end();
    }
}
