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
    private readonly RunSession _session;
    private readonly ThrottleGate _gate;
    private readonly RunControl _control;
    private readonly IResumableBackend? _resumable;
    private readonly RunState _state;
    private readonly AdaptiveChunkSizer _sizer;
    private CopyScheduler? _copy;
    private VerificationLoop? _verification;
    private AppLatencyGuard? _latency;
    private TimeSpan _lastStatus = TimeSpan.FromDays(-1);
    private TimeSpan _lastCheckpoint = TimeSpan.FromDays(-1);

    public AlterRunLoop(IAlterBackend backend, AlterOptions options, IStatusSink sink, ILogger logger, RunServices services, RunControl control, IReadOnlyList<IThrottler>? throttlers, AdaptiveChunkSizer sizer)
    {
        _backend = backend;
        _options = options;
        _sink = sink;
        _logger = logger;
        _control = control;
        _resumable = backend as IResumableBackend;
        _sizer = sizer;
        _session = new RunSession(options, sink, logger, services, control, backend as IServerProbe, throttlers, options.Alter, services.Identity.Capture);
        _gate = _session.Gate;
        _state = _session.State;
    }

    public RunState State => _state;

    public TimeSpan Elapsed => _session.Elapsed;

    public ThrottleGate Gate => _gate;

    /// <summary>True when hooks are configured (an on-before-cut-over hook may hold the cut-over).</summary>
    public bool HasHooks => _session.HasHooks;

    /// <summary>True once the copy finished (saved with every checkpoint).</summary>
    public bool CopyDone { get; set; }

    /// <summary>The latency guard, once started (null: off or unavailable); its figures outlive it for the result.</summary>
    public AppLatencyGuard? Latency => _latency;

    public void Start() => _session.Start();

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
    public Task<bool> ThrottleAsync(CancellationToken cancellationToken) => _session.ThrottleAsync(cancellationToken);

    /// <summary>The periodic work of every loop: status, checkpoint, on-status hook.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        await ReportAsync(cancellationToken).ConfigureAwait(false);
        await CheckpointAsync(force: false, cancellationToken).ConfigureAwait(false);
        _session.TickStatusHook(cancellationToken);
    }

    public async Task CheckpointAsync(bool force, CancellationToken cancellationToken)
    {
        if (_resumable is null || !_options.Execute || (!force && _session.Elapsed - _lastCheckpoint < _options.CheckpointInterval))
        {
            return;
        }

        _lastCheckpoint = _session.Elapsed;
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
        if (_session.Elapsed - _lastStatus < _options.StatusInterval)
        {
            return;
        }

        _state.Backlog = await _backend.GetBacklogAsync(cancellationToken).ConfigureAwait(false);
        Report(force: true);
    }

    public void Report(bool force)
    {
        if (!force && _session.Elapsed - _lastStatus < _options.StatusInterval)
        {
            return;
        }

        _lastStatus = _session.Elapsed;
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
            _session.Elapsed)
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

    public void Emit(string kind, params (string Key, object? Value)[] data) => _session.Emit(kind, data);

    public void EmitRunStarted() => _session.EmitStarted(("alter", _options.Alter), ("capture", _session.Identity.Capture));

    /// <summary>The run's last event; <paramref name="failure"/> (the exception, for the journal only) may be null.</summary>
    public void EmitRunFinished(AlterResult result, Exception? failure) =>
        _session.EmitFinished(result.ExitCode, result.Outcome, result.Message, failure, result.Duration, ("rows_copied", result.RowsCopied), ("changes_applied", result.ChangesApplied));

    /// <inheritdoc cref="RunSession.Listen"/>
    public IDisposable Listen(CancellationTokenSource run) => _session.Listen(run, _backend.Transcript);

    public Task<HookOutcome> RunHookAsync(string hook, int? exitCode = null, string? failure = null, CancellationToken cancellationToken = default) =>
        _session.RunHookAsync(hook, exitCode, failure, cancellationToken);

    /// <inheritdoc cref="RunSession.FinishHooksAsync"/>
    public Task RunFinishedHooksAsync(AlterResult result) => _session.FinishHooksAsync(result.ExitCode, result.Message);
}
