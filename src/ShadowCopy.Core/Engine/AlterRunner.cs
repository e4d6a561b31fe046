using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.CutOver;
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
/// Drives one online ALTER through its phases (docs/architecture.md): preflight, shadow, capture,
/// copy interleaved with apply, catch-up, verify, postpone, cut-over, cleanup. Engine-specific
/// work is in the <see cref="IAlterBackend"/>. Whatever happens before the swap, the original
/// table is left as it was and every helper object is removed.
/// </summary>
public sealed class AlterRunner : IRunLoop
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
    private Exception? _failure;
    private readonly Stopwatch _clock = new();
    private readonly AdaptiveChunkSizer _sizer;
    private readonly CopyScheduler _copy;
    private readonly VerificationLoop _verification;
    private readonly CutOverLoop _cutOver;
    private TimeSpan _lastStatus = TimeSpan.FromDays(-1);
    private TimeSpan _lastCheckpoint = TimeSpan.FromDays(-1);
    private TimeSpan _lastStatusHook;
    private Task _statusHook = Task.CompletedTask;
    private bool _copyDone;
    private AppLatencyGuard? _latency;

    public AlterRunner(IAlterBackend backend, AlterOptions options, IStatusSink sink, ILogger logger, IReadOnlyList<IThrottler>? throttlers = null, RunServices? services = null)
    {
        _backend = backend;
        _options = options;
        _sink = sink;
        _logger = logger;
        services ??= new RunServices();
        _control = services.Control ?? new RunControl(options);
        _observer = services.Observer;
        _hooks = services.Hooks;
        _identity = services.Identity;
        _resumable = backend as IResumableBackend;
        var list = new List<IThrottler>(throttlers ?? []);
        if (options.ThrottleFlagFile is { } flag)
        {
            list.Add(new FlagFileThrottler(flag));
        }

        _gate = new ThrottleGate(options, _control, backend as IServerProbe, list);
        _state = new RunState(sink, logger)
        {
            Changed = (from, to, detail) => Emit(RunEventKinds.Phase, ("from", from.ToString()), ("to", to.ToString()), ("detail", detail)),
        };
        _sizer = new AdaptiveChunkSizer(options.InitialChunkSize, options.MinChunkSize, options.MaxChunkSize, options.ChunkTime);
        _copy = new CopyScheduler(this, _sizer, _control, options, logger)
        {
            ChunkCopied = chunk =>
            {
                _state.RowsCopied += chunk.Rows;
                _state.ChunksCopied++;
                _state.LastChunkSize = chunk.Rows;
            },
            RateLimited = reason => _state.ThrottleReason = reason,
        };
        _verification = new VerificationLoop(this, backend, options, logger);
        _cutOver = new CutOverLoop(this, backend, _verification, options, logger);
    }

    /// <summary>The operator knobs of this run (shared with the control socket).</summary>
    public RunControl Control => _control;

    public Phase Phase => _state.Phase;

    public async Task<AlterResult> RunAsync(CancellationToken cancellationToken)
    {
        // A panic (ctl panic, panic flag file, critical load) cancels whatever the run is doing,
        // like Ctrl+C, but ends with its own exit code.
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
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
        if (_backend.Transcript is { } transcript)
        {
            transcript.Executed += OnStatement;
        }

        try
        {
            var result = await RunPhasesAsync(run.Token).ConfigureAwait(false);
            try
            {
                await _statusHook.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // An on-status hook cut short by the run's end.
            }

            await RunFinishedHooksAsync(result).ConfigureAwait(false);
            Emit(
                RunEventKinds.RunFinished,
                ("exit_code", result.ExitCode),
                ("outcome", result.Outcome),
                ("message", result.Message),
                ("error", _failure?.ToString()),
                ("rows_copied", result.RowsCopied),
                ("changes_applied", result.ChangesApplied),
                ("duration_ms", (long)result.Duration.TotalMilliseconds));
            return result;
        }
        finally
        {
            await StopLatencyGuardAsync().ConfigureAwait(false);
            _control.PanicRequested -= OnPanic;
            _control.CommandReceived -= OnCommand;
            if (_backend.Transcript is { } attached)
            {
                attached.Executed -= OnStatement;
            }
        }
    }

    private async Task<AlterResult> RunPhasesAsync(CancellationToken cancellationToken)
    {
        _clock.Start();
        var shadowCreated = false;
        var swapped = false;
        var summary = new Summary();
        Emit(
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
        try
        {
            if (_options.Resume && (_resumable is null || !_options.Execute))
            {
                throw new PreflightRefusedException(
                    RefusalReason.ResumeNotPossible,
                    _resumable is null ? "--resume is not supported by this backend." : "--resume continues a real run; add --execute.");
            }

            if (_options.Execute && !(await RunHookAsync(HookNames.Startup, cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded)
            {
                throw new ShadowCopyException("Aborted: the on-startup hook failed; nothing was changed.", ExitCodes.Aborted);
            }

            _state.EnterPhase(Phase.Preflight);
            var report = await _backend.PreflightAsync(cancellationToken).ConfigureAwait(false);
            _state.RowsEstimated = report.EstimatedRows;
            summary.Warnings.AddRange(report.Warnings);
            (_backendWarnings, _backendWarningsSeen) = (report.Warnings, report.Warnings.Count);
            foreach (var warning in report.Warnings)
            {
                _sink.OnMessage($"warning: {warning}");
            }

            if (_options.Resume)
            {
                // Shadow, capture and checkpoint exist from the killed run: re-attach to them.
                shadowCreated = true;
                var progress = await _resumable!.ResumeAsync(cancellationToken).ConfigureAwait(false);
                if (progress.Phase == Phase.CleaningUp)
                {
                    // The killed run had swapped: the change is live; only its cleanup is owed.
                    swapped = true;
                    return await FinishSwappedRunAsync(progress, summary).ConfigureAwait(false);
                }

                _state.RowsCopied = progress.RowsCopied;
                _state.ChangesApplied = progress.ChangesApplied;
                _state.ChunksCopied = progress.ChunksCopied;
                _state.RowsEstimated = Math.Max(_state.RowsEstimated, progress.RowsEstimated);
                _copyDone = progress.CopyDone;
                Emit(RunEventKinds.Resumed, ("phase", progress.Phase.ToString()), ("rows_copied", progress.RowsCopied), ("changes_applied", progress.ChangesApplied), ("copy_done", progress.CopyDone));
                _sink.OnMessage($"resuming from checkpoint: phase {progress.Phase}, {progress.RowsCopied} rows copied{(progress.CopyDone ? ", copy complete" : string.Empty)}");
            }
            else
            {
                _state.EnterPhase(Phase.CreatingShadow);
                shadowCreated = true;
                await _backend.CreateShadowAsync(cancellationToken).ConfigureAwait(false);

                if (!_options.Execute)
                {
                    return await DryRunAsync(report, cancellationToken).ConfigureAwait(false);
                }

                _state.EnterPhase(Phase.InstallingCapture);
                await _backend.StartCaptureAsync(cancellationToken).ConfigureAwait(false);
            }

            // Before the copy adds its own load: the baseline is what the application feels without us.
            _latency = await AppLatencyGuard.StartForAsync(_backend as IServerProbe, report.KeyColumns, _control, _sink.OnMessage, cancellationToken).ConfigureAwait(false);
            if (_latency is not null && _backend is IPacedVerification paced)
            {
                paced.AfterVerifyChunk = PaceAsync;
            }

            _state.EnterPhase(Phase.Copying);
            await CheckpointAsync(force: true, cancellationToken).ConfigureAwait(false);
            if (!_copyDone)
            {
                if (_options.Threads > 1 && _backend is IParallelCopyBackend parallel)
                {
                    await _copy.CopyAsync(parallel, _options.Threads, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await _copy.CopyAsync(_backend, cancellationToken).ConfigureAwait(false);
                }

                Log.CopyFinished(_logger, _state.RowsCopied, _state.ChunksCopied);
            }

            // Idempotent, so a resume after the copy finished may call it again.
            await _backend.FinishCopyAsync(cancellationToken).ConfigureAwait(false);
            _copyDone = true;
            await CheckpointAsync(force: true, cancellationToken).ConfigureAwait(false);
            await RunHookAsync(HookNames.RowCopyComplete, cancellationToken: cancellationToken).ConfigureAwait(false);

            _state.EnterPhase(Phase.CatchingUp);
            await CatchUpAsync(_options.CutOverMaxBacklog, cancellationToken).ConfigureAwait(false);

            _state.EnterPhase(Phase.Verifying);
            await CheckpointAsync(force: true, cancellationToken).ConfigureAwait(false);
            await _verification.VerifyAllAsync(cancellationToken).ConfigureAwait(false);
            await RunHookAsync(HookNames.Validated, cancellationToken: cancellationToken).ConfigureAwait(false);

            // Copy and verification are done: what follows is short (delta rounds, the lock).
            await StopLatencyGuardAsync().ConfigureAwait(false);

            await WaitWhilePostponedAsync(cancellationToken).ConfigureAwait(false);

            _state.EnterPhase(Phase.CuttingOver);
            await _cutOver.RunAsync(cancellationToken).ConfigureAwait(false);
            swapped = true;
            MarkRevertible(DateTimeOffset.UtcNow, misfits: null);

            // From here on the new table serves: finish what we owe even if asked to stop.
            _state.EnterPhase(Phase.CleaningUp);
            await MarkSwappedAsync().ConfigureAwait(false);
            using (var owed = new CancellationTokenSource(_options.CleanupTimeout))
            {
                await _backend.AfterCutOverAsync(_options.DropOldTable, owed.Token).ConfigureAwait(false);
            }

            _state.EnterPhase(Phase.Done);
            Report(force: true);
            return Result(ExitCodes.Success, "completed", null, summary) with { OldTableDropped = _options.DropOldTable };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var panic = _control.PanicReason;
            if (swapped)
            {
                _state.EnterPhase(Phase.Failed, "stopped after the swap; the new table serves");
                return Result(ExitCodes.Cancelled, "cancelled", "Stopped after the swap: the new table is in place; run `shadowcopy cleanup` to remove helper objects left behind.", summary);
            }

            await CleanupAsync(shadowCreated, panic is null ? "cancellation" : "abort").ConfigureAwait(false);
            if (panic is not null)
            {
                _state.EnterPhase(Phase.Failed, $"aborted: {panic}");
                return Result(ExitCodes.Aborted, "aborted", $"Aborted ({panic}) before cut-over; the original table is untouched and helper objects were removed.", summary);
            }

            _state.EnterPhase(Phase.Cancelled);
            return Result(ExitCodes.Cancelled, "cancelled", "Cancelled before cut-over; the original table is untouched and helper objects were removed.", summary);
        }
        catch (PreflightRefusedException refusal)
        {
            // A refused resume must leave the killed run's objects in place for `cleanup` or a later resume.
            if (!(_options.Resume && refusal.Reason == RefusalReason.ResumeNotPossible))
            {
                await CleanupAsync(shadowCreated, "refusal").ConfigureAwait(false);
            }

            _state.EnterPhase(Phase.Failed, refusal.Reason.Id());
            return Result(refusal.ExitCode, "refused", refusal.Message, summary) with { RefusalId = refusal.Reason.Id() };
        }
        catch (Exception error) when ((error as ShadowCopyException ?? _backend.ClassifyFailure(error)) is { } failure)
        {
            if (!swapped)
            {
                await CleanupAsync(shadowCreated, "failure").ConfigureAwait(false);
            }

            _failure = failure;
            Log.RunFailed(_logger, failure, failure.Message);
            _state.EnterPhase(Phase.Failed);
            return Result(failure.ExitCode, failure.ExitCode == ExitCodes.Aborted ? "aborted" : "failed", failure.Message, summary);
        }
        catch (Exception unexpected)
        {
            var phase = StatusText.PhaseName(_state.Phase); // before the cleanup changes it
            if (!swapped)
            {
                await CleanupAsync(shadowCreated, "failure").ConfigureAwait(false);
            }

            _failure = unexpected;
            Log.RunFailed(_logger, unexpected, unexpected.Message);
            _state.EnterPhase(Phase.Failed);
            return Result(ExitCodes.InternalError, "failed", UnexpectedFailureMessage(unexpected, phase, swapped), summary);
        }
    }

    /// <summary>
    /// Records in the checkpoint that the swap is done (phase CleaningUp), so that a resume after a
    /// kill during the cleanup finishes it instead of refusing. Backends whose cut-over writes this
    /// atomically with the swap (PostgreSQL) only repeat it; a failure here must not fail a run whose
    /// change is already live.
    /// </summary>
    private async Task MarkSwappedAsync()
    {
        try
        {
            await CheckpointAsync(force: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            Log.CheckpointFailed(_logger, error.Message);
        }
    }

    /// <summary>
    /// <c>--resume</c> after a run that was killed once its swap was done: the new table serves
    /// already, so nothing is copied, verified or swapped again; the cleanup the killed run owed
    /// (capture objects, the checkpoint, the old table with --drop-old-table) is finished and the
    /// run ends as the completed change it is.
    /// </summary>
    /// <summary>
    /// --revertible: the swap installed the reverse capture, so from now on <c>ctl status</c> and the
    /// journal say since when, how far behind and what is held (ADR 0031). Misfits are not counted here
    /// (the run does not read the table again; the revert dry run counts them), and a resumed run does
    /// not know the swap time (the dry run reads it from the state).
    /// </summary>
    private void MarkRevertible(DateTimeOffset? since, long? misfits)
    {
        if (!_options.Revertible)
        {
            return;
        }

        var status = new Revert.Revertibility(since, misfits);
        _control.Revertible = status;
        Emit(RunEventKinds.Revertible, [.. status.Fields(), ("table", _options.Table.ToString())]);
    }

    private async Task<AlterResult> FinishSwappedRunAsync(RunProgress progress, Summary summary)
    {
        _state.RowsCopied = progress.RowsCopied;
        _state.ChangesApplied = progress.ChangesApplied;
        _state.ChunksCopied = progress.ChunksCopied;
        _state.RowsEstimated = Math.Max(_state.RowsEstimated, progress.RowsEstimated);
        Emit(RunEventKinds.Resumed, ("phase", progress.Phase.ToString()), ("rows_copied", progress.RowsCopied), ("changes_applied", progress.ChangesApplied), ("copy_done", true));
        _sink.OnMessage($"resuming after the swap: the earlier run had already put the new {_options.Table} in place; finishing its cleanup");
        MarkRevertible(null, misfits: null);
        _state.EnterPhase(Phase.CleaningUp);
        using (var owed = new CancellationTokenSource(_options.CleanupTimeout))
        {
            await _backend.AfterCutOverAsync(_options.DropOldTable, owed.Token).ConfigureAwait(false);
        }

        _state.EnterPhase(Phase.Done);
        Report(force: true);
        return Result(ExitCodes.Success, "completed", $"The change was already complete: the earlier run swapped the tables before it stopped. Its cleanup is now finished{(_options.DropOldTable ? " and the old table dropped" : string.Empty)}.", summary) with { OldTableDropped = _options.DropOldTable };
    }

    private async Task<AlterResult> DryRunAsync(PreflightReport report, CancellationToken cancellationToken)
    {
        _state.EnterPhase(Phase.Copying, "dry run: sampling the copy rate");
        var sample = Stopwatch.StartNew();
        long rows = 0;
        var done = false;
        while (!done && sample.Elapsed < _options.DryRunSampleTime)
        {
            var chunk = await _backend.CopyChunkAsync(_sizer.Current, cancellationToken).ConfigureAwait(false);
            rows += chunk.Rows;
            done = chunk.Done;
            _sizer.Observe(chunk.Rows, chunk.Elapsed);
        }

        var rate = rows > 0 ? rows / Math.Max(sample.Elapsed.TotalSeconds, 0.001) : (double?)null;
        TimeSpan? estimate = rate is > 0 ? TimeSpan.FromSeconds(report.EstimatedRows / rate.Value) : null;
        var plan = _backend.ExecutedStatements.Concat(_backend.DescribeUnexecutedSteps()).ToList();
        await CleanupAsync(true, "dry run").ConfigureAwait(false);
        _state.EnterPhase(Phase.Done);
        var summary = new Summary();
        summary.Warnings.AddRange(report.Warnings);
        return Result(ExitCodes.Success, "dry-run", $"Dry run: nothing on {_options.Table} was changed; the shadow and everything else created were dropped.", summary) with
        {
            RowsCopied = rows,
            SampleRowsPerSecond = rate,
            EstimatedCopyDuration = estimate,
            Plan = plan,
        };
    }

    /// <summary>The latency guard's pause after one unit of work (a chunk copied or verified) that took <paramref name="work"/>.</summary>
    private async Task PaceAsync(TimeSpan work, CancellationToken cancellationToken)
    {
        if (_latency is not null)
        {
            await _latency.PaceAsync(work, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the guard's background reads; its figures stay for the result.</summary>
    private async Task StopLatencyGuardAsync()
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
    private async Task<bool> ThrottleAsync(CancellationToken cancellationToken)
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
    private async Task TickAsync(CancellationToken cancellationToken)
    {
        await ReportAsync(cancellationToken).ConfigureAwait(false);
        await CheckpointAsync(force: false, cancellationToken).ConfigureAwait(false);
        if (_hooks is not null && _options.Execute && _clock.Elapsed - _lastStatusHook >= _options.HookStatusInterval && _statusHook.IsCompleted)
        {
            _lastStatusHook = _clock.Elapsed;
            _statusHook = RunHookAsync(HookNames.Status, cancellationToken: cancellationToken);
        }
    }

    private async Task CheckpointAsync(bool force, CancellationToken cancellationToken)
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
            CopyDone = _copyDone,
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
    private async Task ApplyForAsync(TimeSpan budget, CancellationToken cancellationToken)
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

    private async Task CatchUpAsync(long threshold, CancellationToken cancellationToken)
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

    /// <summary>
    /// Keeps the shadow in sync while anything holds the cut-over: the postpone flag file, the
    /// operator (<c>ctl postpone-cut-over</c>) or a failing on-before-cut-over hook (retried every
    /// <see cref="AlterOptions.HookRetryInterval"/>). The reason is shown in status.
    /// </summary>
    private async Task WaitWhilePostponedAsync(CancellationToken cancellationToken)
    {
        var nextHook = TimeSpan.Zero;
        string? hookFailure = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? reason = null;
            if (_options.PostponeCutOverFlagFile is { } flag && File.Exists(flag))
            {
                reason = $"cut-over waits while {flag} exists";
            }
            else if (_control.PostponeCutOver)
            {
                reason = "cut-over postponed by the operator (shadowcopy ctl unpostpone to proceed)";
            }
            else if (_hooks is not null)
            {
                if (_clock.Elapsed >= nextHook)
                {
                    var outcome = await RunHookAsync(HookNames.BeforeCutOver, cancellationToken: cancellationToken).ConfigureAwait(false);
                    hookFailure = outcome.Succeeded ? null : outcome.Failure ?? "failed";
                    nextHook = _clock.Elapsed + _options.HookRetryInterval;
                }

                if (hookFailure is not null)
                {
                    reason = $"on-before-cut-over hook failed ({hookFailure}); retrying every {_options.HookRetryInterval.TotalSeconds:0} s";
                }
            }

            _control.PostponeReason = reason;
            if (reason is null)
            {
                if (_state.Phase == Phase.Postponed)
                {
                    _state.ThrottleReason = null;
                }

                return;
            }

            if (_state.Phase != Phase.Postponed || _state.ThrottleReason != reason)
            {
                _state.ThrottleReason = reason;
                _state.EnterPhase(Phase.Postponed, reason);
            }

            await ApplyForAsync(IRunLoop.IdlePoll, cancellationToken).ConfigureAwait(false);
            _state.Backlog = await _backend.GetBacklogAsync(cancellationToken).ConfigureAwait(false);
            await _gate.CheckAsync(abortChecksOnly: true, cancellationToken).ConfigureAwait(false);
            await _verification.VerifyChangedRowsAsync(force: false, cancellationToken).ConfigureAwait(false);
            await TickAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(IRunLoop.IdlePoll, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CleanupAsync(bool shadowCreated, string reason)
    {
        if (!shadowCreated)
        {
            return;
        }

        var previous = _state.Phase;
        _state.EnterPhase(Phase.CleaningUp, reason);
        using var timeout = new CancellationTokenSource(_options.CleanupTimeout);
        try
        {
            await _backend.CleanupAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            Log.CleanupFailed(_logger, reason, error.Message);
            _sink.OnMessage($"cleanup after {reason} failed ({error.Message}); run `shadowcopy cleanup` to remove leftovers");
        }

        _ = previous;
    }

    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        if (_clock.Elapsed - _lastStatus < _options.StatusInterval)
        {
            return;
        }

        _state.Backlog = await _backend.GetBacklogAsync(cancellationToken).ConfigureAwait(false);
        Report(force: true);
    }

    private void Report(bool force)
    {
        if (!force && _clock.Elapsed - _lastStatus < _options.StatusInterval)
        {
            return;
        }

        _lastStatus = _clock.Elapsed;
        var copySeconds = _copy.Elapsed.TotalSeconds;
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
            RowsVerifiedAfterCopy = _verification.RowsVerifiedAfterCopy,
            RowsUnverified = _verification.RowsUnverified,
            AppLatency = _latencyStopped ? null : _latency?.Measured,
            AppLatencyBudget = _latencyStopped ? null : _latency?.Budget,
            AppLatencyPaced = _latency?.Paced ?? TimeSpan.Zero,
            AppLatencyDetail = _latencyStopped ? null : _latency?.Describe(),
        };
        _control.LastStatus = snapshot;
        _sink.OnStatus(snapshot);
    }

    TimeSpan IRunLoop.Elapsed => _clock.Elapsed;

    void IRunLoop.Message(string text) => _sink.OnMessage(text);

    void IRunLoop.Emit(string kind, params (string Key, object? Value)[] data) => Emit(kind, data);

    Task<bool> IRunLoop.ThrottleAsync(CancellationToken cancellationToken) => ThrottleAsync(cancellationToken);

    Task IRunLoop.ApplyForAsync(TimeSpan budget, CancellationToken cancellationToken) => ApplyForAsync(budget, cancellationToken);

    Task IRunLoop.CatchUpAsync(long threshold, CancellationToken cancellationToken) => CatchUpAsync(threshold, cancellationToken);

    Task IRunLoop.PaceAsync(TimeSpan work, CancellationToken cancellationToken) => PaceAsync(work, cancellationToken);

    Task IRunLoop.TickAsync(CancellationToken cancellationToken) => TickAsync(cancellationToken);

    private void Emit(string kind, params (string Key, object? Value)[] data) => RunNotifications.Emit(_observer, _sink, kind, data);

    private async Task<HookOutcome> RunHookAsync(string hook, int? exitCode = null, string? failure = null, CancellationToken cancellationToken = default)
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

    private async Task RunFinishedHooksAsync(AlterResult result)
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

    /// <summary>
    /// One line for a failure no check foresaw (a server error in the middle of the run, say): what
    /// failed, where, and in which state the table is. The exception itself goes to the journal's
    /// run-finished event and, with --verbose, to the log (issue 13).
    /// </summary>
    internal static string UnexpectedFailureMessage(Exception error, string phase, bool swapped) =>
        $"Failed while {phase}: {error.Message.Trim().TrimEnd('.')}. "
        + (swapped
            ? "The new table is already in place; run `shadowcopy cleanup` to remove helper objects left behind."
            : "The original table is untouched and the helper objects were removed; the journal (and --verbose) has the details.");

    private AlterResult Result(int exitCode, string outcome, string? message, Summary summary) => new()
    {
        ExitCode = exitCode,
        Outcome = outcome,
        Message = message,
        RowsCopied = _state.RowsCopied,
        ChangesApplied = _state.ChangesApplied,
        ChunksVerified = _verification.ChunksVerified,
        RowsVerified = _verification.RowsVerified,
        ChunksRecopied = _verification.ChunksRecopied,
        CutOverAttempts = _cutOver.Attempts,
        CutOverLockWaitMs = _cutOver.LockWaitMs,
        RowsVerifiedAfterCopy = _verification.RowsVerifiedAfterCopy,
        RowsReapplied = _verification.RowsReapplied,
        AppLatencyBaseline = _latency?.Baseline,
        AppLatencyBudget = _latency?.Budget,
        AppLatencyPaced = _latency?.Paced ?? TimeSpan.Zero,
        Duration = _clock.Elapsed,
        ShadowTable = _backend.Names.Shadow,
        OldTable = _backend.Names.Old,
        EstimatedRows = _state.RowsEstimated,
        // A backend may add warnings to its preflight list later (e.g. at cut-over): they are not lost.
        Warnings = [.. summary.Warnings, .. _backendWarnings.Skip(_backendWarningsSeen)],
    };

    private IReadOnlyList<string> _backendWarnings = [];
    private int _backendWarningsSeen;

    /// <summary>What the run reports besides its phases' own counters.</summary>
    private sealed class Summary
    {
        public List<string> Warnings { get; } = [];
    }
}
