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
public sealed class AlterRunner
{
    private readonly IAlterBackend _backend;
    private readonly AlterOptions _options;
    private readonly IStatusSink _sink;
    private readonly ILogger _logger;
    private readonly RunControl _control;
    private readonly IResumableBackend? _resumable;
    private readonly AlterRunLoop _run;
    private readonly RunState _state;
    private readonly AdaptiveChunkSizer _sizer;
    private readonly CopyScheduler _copy;
    private readonly VerificationLoop _verification;
    private readonly CutOverLoop _cutOver;
    private Exception? _failure;
    private IReadOnlyList<string> _warnings = [];

    public AlterRunner(IAlterBackend backend, AlterOptions options, IStatusSink sink, ILogger logger, IReadOnlyList<IThrottler>? throttlers = null, RunServices? services = null)
    {
        _backend = backend;
        _options = options;
        _sink = sink;
        _logger = logger;
        services ??= new RunServices();
        _control = services.Control ?? new RunControl(options);
        _resumable = backend as IResumableBackend;
        _sizer = new AdaptiveChunkSizer(options.InitialChunkSize, options.MinChunkSize, options.MaxChunkSize, options.ChunkTime);
        _run = new AlterRunLoop(backend, options, sink, logger, services, _control, throttlers, _sizer);
        _state = _run.State;
        _copy = new CopyScheduler(_run, _sizer, _control, options, logger)
        {
            ChunkCopied = chunk =>
            {
                _state.RowsCopied += chunk.Rows;
                _state.ChunksCopied++;
                _state.LastChunkSize = chunk.Rows;
            },
            RateLimited = reason => _state.ThrottleReason = reason,
        };
        _verification = new VerificationLoop(_run, backend, options, logger);
        _cutOver = new CutOverLoop(_run, backend, _verification, options, logger);
        _run.Attach(_copy, _verification);
    }

    /// <summary>The operator knobs of this run (shared with the control socket).</summary>
    public RunControl Control => _control;

    public Phase Phase => _state.Phase;

    public async Task<AlterResult> RunAsync(CancellationToken cancellationToken)
    {
        // A panic (ctl panic, panic flag file, critical load) cancels whatever the run is doing,
        // like Ctrl+C, but ends with its own exit code.
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var listening = _run.Listen(run);
        try
        {
            var result = await RunPhasesAsync(run.Token).ConfigureAwait(false);
            await _run.RunFinishedHooksAsync(result).ConfigureAwait(false);
            _run.EmitRunFinished(result, _failure);
            return result;
        }
        finally
        {
            await _run.StopLatencyGuardAsync().ConfigureAwait(false);
        }
    }

    private async Task<AlterResult> RunPhasesAsync(CancellationToken cancellationToken)
    {
        _run.Start();
        var shadowCreated = false;
        var swapped = false;
        _run.EmitRunStarted();
        try
        {
            if (_options.Resume && (_resumable is null || !_options.Execute))
            {
                throw new PreflightRefusedException(
                    RefusalReason.ResumeNotPossible,
                    _resumable is null ? "--resume is not supported by this backend." : "--resume continues a real run; add --execute.");
            }

            if (_options.Execute && !(await _run.RunHookAsync(HookNames.Startup, cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded)
            {
                throw new ShadowCopyException("Aborted: the on-startup hook failed; nothing was changed.", ExitCodes.Aborted);
            }

            _state.EnterPhase(Phase.Preflight);
            var report = await _backend.PreflightAsync(cancellationToken).ConfigureAwait(false);
            _state.RowsEstimated = report.EstimatedRows;
            _warnings = report.Warnings;
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
                    return await FinishSwappedRunAsync(progress).ConfigureAwait(false);
                }

                Restore(progress);
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
            await _run.StartLatencyGuardAsync(report.KeyColumns, cancellationToken).ConfigureAwait(false);

            _state.EnterPhase(Phase.Copying);
            await _run.CheckpointAsync(force: true, cancellationToken).ConfigureAwait(false);
            if (!_run.CopyDone)
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
            _run.CopyDone = true;
            await _run.CheckpointAsync(force: true, cancellationToken).ConfigureAwait(false);
            await _run.RunHookAsync(HookNames.RowCopyComplete, cancellationToken: cancellationToken).ConfigureAwait(false);

            _state.EnterPhase(Phase.CatchingUp);
            await _run.CatchUpAsync(_options.CutOverMaxBacklog, cancellationToken).ConfigureAwait(false);

            _state.EnterPhase(Phase.Verifying);
            await _run.CheckpointAsync(force: true, cancellationToken).ConfigureAwait(false);
            await _verification.VerifyAllAsync(cancellationToken).ConfigureAwait(false);
            await _run.RunHookAsync(HookNames.Validated, cancellationToken: cancellationToken).ConfigureAwait(false);

            // Copy and verification are done: what follows is short (delta rounds, the lock).
            await _run.StopLatencyGuardAsync().ConfigureAwait(false);

            await new CutOverPostponement(_run, _backend, _verification, _options, _control).WaitAsync(cancellationToken).ConfigureAwait(false);

            _state.EnterPhase(Phase.CuttingOver);
            await _cutOver.RunAsync(cancellationToken).ConfigureAwait(false);
            swapped = true;
            MarkRevertible(DateTimeOffset.UtcNow);

            // From here on the new table serves: finish what we owe even if asked to stop.
            _state.EnterPhase(Phase.CleaningUp);
            await MarkSwappedAsync().ConfigureAwait(false);
            return await FinishAfterSwapAsync(null).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var panic = _control.PanicReason;
            if (swapped)
            {
                _state.EnterPhase(Phase.Failed, "stopped after the swap; the new table serves");
                return Result(ExitCodes.Cancelled, "cancelled", "Stopped after the swap: the new table is in place; run `shadowcopy cleanup` to remove helper objects left behind.");
            }

            await CleanupAsync(shadowCreated, panic is null ? "cancellation" : "abort").ConfigureAwait(false);
            if (panic is not null)
            {
                _state.EnterPhase(Phase.Failed, $"aborted: {panic}");
                return Result(ExitCodes.Aborted, "aborted", $"Aborted ({panic}) before cut-over; the original table is untouched and helper objects were removed.");
            }

            _state.EnterPhase(Phase.Cancelled);
            return Result(ExitCodes.Cancelled, "cancelled", "Cancelled before cut-over; the original table is untouched and helper objects were removed.");
        }
        catch (PreflightRefusedException refusal)
        {
            // A refused resume must leave the killed run's objects in place for `cleanup` or a later resume.
            if (!(_options.Resume && refusal.Reason == RefusalReason.ResumeNotPossible))
            {
                await CleanupAsync(shadowCreated, "refusal").ConfigureAwait(false);
            }

            _state.EnterPhase(Phase.Failed, refusal.Reason.Id());
            return Result(refusal.ExitCode, "refused", refusal.Message) with { RefusalId = refusal.Reason.Id() };
        }
        catch (Exception error)
        {
            // A foreseen failure (ours, or an engine error the backend recognises) keeps its exit code and
            // sentence; anything else is an internal error said in one line with where it happened.
            var phase = StatusText.PhaseName(_state.Phase); // before the cleanup changes it
            var known = error as ShadowCopyException ?? _backend.ClassifyFailure(error);
            if (!swapped)
            {
                await CleanupAsync(shadowCreated, "failure").ConfigureAwait(false);
            }

            _failure = known ?? error;
            Log.RunFailed(_logger, _failure, _failure.Message);
            _state.EnterPhase(Phase.Failed);
            return known is null
                ? Result(ExitCodes.InternalError, "failed", UnexpectedFailureMessage(error, phase, swapped))
                : Result(known.ExitCode, known.ExitCode == ExitCodes.Aborted ? "aborted" : "failed", known.Message);
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
            await _run.CheckpointAsync(force: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            Log.CheckpointFailed(_logger, error.Message);
        }
    }

    /// <summary>
    /// --revertible: the swap installed the reverse capture, so from now on <c>ctl status</c> and the
    /// journal say since when, how far behind and what is held (ADR 0031). Misfits are not counted here
    /// (the run does not read the table again; the revert dry run counts them), and a resumed run does
    /// not know the swap time (the dry run reads it from the state).
    /// </summary>
    private void MarkRevertible(DateTimeOffset? since)
    {
        if (_options.Revertible)
        {
            var status = new Revert.Revertibility(since, MisfitCount: null);
            _control.Revertible = status;
            _run.Emit(RunEventKinds.Revertible, [.. status.Fields(), ("table", _options.Table.ToString())]);
        }
    }

    /// <summary>The killed run's counters, journaled, so status and the result continue from them.</summary>
    private void Restore(RunProgress progress)
    {
        _state.RowsCopied = progress.RowsCopied;
        _state.ChangesApplied = progress.ChangesApplied;
        _state.ChunksCopied = progress.ChunksCopied;
        _state.RowsEstimated = Math.Max(_state.RowsEstimated, progress.RowsEstimated);
        _run.CopyDone = progress.CopyDone;
        _run.Emit(RunEventKinds.Resumed, ("phase", progress.Phase.ToString()), ("rows_copied", progress.RowsCopied), ("changes_applied", progress.ChangesApplied), ("copy_done", progress.CopyDone));
    }

    /// <summary>
    /// <c>--resume</c> after a run that was killed once its swap was done: the new table serves
    /// already, so nothing is copied, verified or swapped again; the cleanup the killed run owed
    /// (capture objects, the checkpoint, the old table with --drop-old-table) is finished and the
    /// run ends as the completed change it is.
    /// </summary>
    private async Task<AlterResult> FinishSwappedRunAsync(RunProgress progress)
    {
        Restore(progress with { CopyDone = true });
        _sink.OnMessage($"resuming after the swap: the earlier run had already put the new {_options.Table} in place; finishing its cleanup");
        MarkRevertible(null);
        _state.EnterPhase(Phase.CleaningUp);
        return await FinishAfterSwapAsync($"The change was already complete: the earlier run swapped the tables before it stopped. Its cleanup is now finished{(_options.DropOldTable ? " and the old table dropped" : string.Empty)}.").ConfigureAwait(false);
    }

    /// <summary>The cleanup a swap owes (bounded, not cancellable by the run: the new table serves), then success.</summary>
    private async Task<AlterResult> FinishAfterSwapAsync(string? message)
    {
        using (var owed = new CancellationTokenSource(_options.CleanupTimeout))
        {
            await _backend.AfterCutOverAsync(_options.DropOldTable, owed.Token).ConfigureAwait(false);
        }

        _state.EnterPhase(Phase.Done);
        _run.Report(force: true);
        return Result(ExitCodes.Success, "completed", message) with { OldTableDropped = _options.DropOldTable };
    }

    private async Task<AlterResult> DryRunAsync(PreflightReport report, CancellationToken cancellationToken)
    {
        _state.EnterPhase(Phase.Copying, "dry run: sampling the copy rate");
        var sample = await DryRunSample.TakeAsync(_backend, _sizer, _options.DryRunSampleTime, report.EstimatedRows, cancellationToken).ConfigureAwait(false);
        await CleanupAsync(true, "dry run").ConfigureAwait(false);
        _state.EnterPhase(Phase.Done);
        return Result(ExitCodes.Success, "dry-run", $"Dry run: nothing on {_options.Table} was changed; the shadow and everything else created were dropped.") with
        {
            RowsCopied = sample.Rows,
            SampleRowsPerSecond = sample.RowsPerSecond,
            EstimatedCopyDuration = sample.EstimatedCopyDuration,
            Plan = sample.Plan,
        };
    }

    private async Task CleanupAsync(bool shadowCreated, string reason)
    {
        if (!shadowCreated)
        {
            return;
        }

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

    private AlterResult Result(int exitCode, string outcome, string? message) => new()
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
        AppLatencyBaseline = _run.Latency?.Baseline,
        AppLatencyBudget = _run.Latency?.Budget,
        AppLatencyPaced = _run.Latency?.Paced ?? TimeSpan.Zero,
        Duration = _run.Elapsed,
        ShadowTable = _backend.Names.Shadow,
        OldTable = _backend.Names.Old,
        EstimatedRows = _state.RowsEstimated,
        // The preflight's list, read at the end: a backend may add to it later (e.g. at cut-over).
        Warnings = [.. _warnings],
    };
}
