using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Backfill;

/// <summary>
/// Drives <c>shadowcopy backfill</c> (docs/adr/0028-backfill.md): preflight with a rolled-back
/// sample, then key-range batches in key order, each one short transaction that also records the
/// batch's upper key bound, sized to a target batch time by the copy's <see cref="AdaptiveChunkSizer"/>
/// and paced by the alter's <see cref="ThrottleGate"/>, <see cref="RateLimiter"/> and
/// <see cref="RunControl"/>; then the verification report. A stop between batches leaves every
/// committed batch committed and the checkpoint where <c>--resume</c> continues.
/// </summary>
public sealed class BackfillRunner
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(250);

    private readonly IBackfillBackend _backend;
    private readonly BackfillLedger _ledger;
    private readonly BackfillOptions _options;
    private readonly IStatusSink _sink;
    private readonly RunControl _control;
    private readonly RunSession _session;
    private readonly RunState _state;
    private readonly AdaptiveChunkSizer _sizer;
    private readonly Stopwatch _batchClock = new();
    private TimeSpan _lastStatus = TimeSpan.FromDays(-1);
    private long _batches;
    private long _batchesThisRun;
    private long _updated;
    private long _processedAtStart;
    private IReadOnlyList<string> _key = [];
    private Exception? _failure;
    private AppLatencyGuard? _latency;

    public BackfillRunner(IBackfillBackend backend, BackfillOptions options, IStatusSink sink, ILogger logger, RunServices? services = null)
    {
        _backend = backend;
        _ledger = new BackfillLedger(options);
        _options = options;
        _sink = sink;
        services ??= new RunServices();
        _control = services.Control ?? new RunControl(options.Run);
        _session = new RunSession(options.Run, sink, logger, services, _control, backend.Probe, throttlers: null, "backfill " + options.Describe(), capture: string.Empty)
        {
            AnnounceThrottle = true,
        };
        _state = _session.State;
        _sizer = new AdaptiveChunkSizer(options.Run.InitialChunkSize, options.Run.MinChunkSize, options.Run.MaxChunkSize, options.Run.ChunkTime);
    }

    public RunControl Control => _control;

    public async Task<BackfillResult> RunAsync(CancellationToken cancellationToken)
    {
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var listening = _session.Listen(run, transcript: null);
        try
        {
            var result = await RunPhasesAsync(run.Token).ConfigureAwait(false);
            await _session.FinishHooksAsync(result.ExitCode, result.Message).ConfigureAwait(false);
            _session.EmitFinished(
                result.ExitCode,
                result.Outcome,
                result.Message,
                _failure,
                result.Duration,
                ("batches", result.Batches),
                ("rows_processed", result.RowsProcessed),
                ("rows_updated", result.RowsUpdated),
                ("rows_total", result.Report?.TotalRows),
                ("rows_remaining", result.Report?.RemainingRows),
                ("rows_drifted", result.Report?.DriftedRows));
            return result;
        }
        finally
        {
            if (_latency is not null)
            {
                await _latency.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<BackfillResult> RunPhasesAsync(CancellationToken cancellationToken)
    {
        _session.Start();
        _session.EmitStarted(("command", "backfill"), ("set", _options.Set), ("where", _options.Where), ("verify", _options.Verify));
        try
        {
            if (_options.Resume && !_options.Execute)
            {
                throw new PreflightRefusedException(RefusalReason.ResumeNotPossible, "--resume continues a real run; add --execute.");
            }

            if (_options.Execute && !(await _session.RunHookAsync(HookNames.Startup, cancellationToken: cancellationToken).ConfigureAwait(false)).Succeeded)
            {
                throw new ShadowCopyException("Aborted: the on-startup hook failed; nothing was changed.", ExitCodes.Aborted);
            }

            _state.EnterPhase(Phase.Preflight);
            var plan = await _backend.PrepareAsync(cancellationToken).ConfigureAwait(false);
            _key = plan.KeyColumns;
            _state.RowsEstimated = plan.EstimatedRows;
            if (!_options.Execute)
            {
                return await DryRunAsync(plan, cancellationToken).ConfigureAwait(false);
            }

            var progress = await _ledger.StartAsync(_backend.Checkpoint, plan.KeyColumns, _options.Resume, cancellationToken).ConfigureAwait(false);
            _batches = progress.Batches;
            _updated = progress.Updated;
            _state.RowsCopied = _processedAtStart = progress.Scanned;
            _state.ChangesApplied = progress.Updated;
            _state.RowsEstimated = Math.Max(_state.RowsEstimated, progress.Scanned);
            if (_options.Resume)
            {
                Emit(RunEventKinds.Resumed, ("batches", progress.Batches), ("rows_processed", progress.Scanned), ("rows_updated", progress.Updated), ("done", progress.Done));
                _sink.OnMessage($"resuming from checkpoint: {progress.Batches:N0} batches committed ({progress.Scanned:N0} rows processed, {progress.Updated:N0} updated){(progress.Done ? "; every batch was done" : string.Empty)}");
            }

            _state.EnterPhase(Phase.Backfilling);
            if (!progress.Done)
            {
                _latency = await AppLatencyGuard.StartForAsync(_backend.Probe, _key, _control, _sink.OnMessage, cancellationToken).ConfigureAwait(false);
                await BatchesAsync(cancellationToken).ConfigureAwait(false);
            }

            _state.EnterPhase(Phase.Verifying);
            var report = await _backend.CountAsync(cancellationToken).ConfigureAwait(false);
            Emit(RunEventKinds.Validation, ("gate", "backfill-report"), ("rows_total", report.TotalRows), ("rows_remaining", report.RemainingRows), ("rows_drifted", report.DriftedRows));
            await _backend.DropCheckpointAsync(cancellationToken).ConfigureAwait(false);
            Report(force: true);
            if (_options.WhereIsRemaining ? report.Clean : report.DriftedRows is null or 0)
            {
                _state.EnterPhase(Phase.Done);
                return Result(ExitCodes.Success, "completed", $"Backfill complete: {_updated:N0} rows updated in {_batches:N0} batches; {Describe(report)}.") with { Report = report };
            }

            _state.EnterPhase(Phase.Failed, "verification report not clean");
            return Result(
                ExitCodes.VerificationFailed,
                "incomplete",
                $"Every batch ran, but {Describe(report)}: rows written while the backfill ran without the dual write, or a --set that does not satisfy --where/--verify. Run it again (it touches only rows still matching --where) or fix the dual write first.") with { Report = report };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var panic = _control.PanicReason;
            var left = $"{_batches:N0} committed batches stay ({_updated:N0} rows updated); `--execute --resume` continues after the last one.";
            if (panic is not null)
            {
                _state.EnterPhase(Phase.Failed, $"aborted: {panic}");
                return Result(ExitCodes.Aborted, "aborted", $"Aborted ({panic}); {left}");
            }

            _state.EnterPhase(Phase.Cancelled);
            return Result(ExitCodes.Cancelled, "cancelled", $"Cancelled between batches; {left}");
        }
        catch (PreflightRefusedException refusal)
        {
            _state.EnterPhase(Phase.Failed, refusal.Reason.Id());
            return Result(refusal.ExitCode, "refused", refusal.Message) with { RefusalId = refusal.Reason.Id() };
        }
        catch (ShadowCopyException failure)
        {
            _failure = failure;
            _state.EnterPhase(Phase.Failed);
            return Result(failure.ExitCode, failure.ExitCode == ExitCodes.Aborted ? "aborted" : "failed", failure.Message);
        }
        catch (Exception unexpected)
        {
            var phase = StatusText.PhaseName(_state.Phase);
            _failure = unexpected;
            _state.EnterPhase(Phase.Failed);
            return Result(
                ExitCodes.InternalError,
                "failed",
                $"Failed while {phase}: {unexpected.Message.Trim().TrimEnd('.')}. {_batches:N0} committed batches stay; the batch in flight was rolled back; `--execute --resume` continues after the last committed one.");
        }
    }

    private async Task<BackfillResult> DryRunAsync(BackfillPlan plan, CancellationToken cancellationToken)
    {
        // One sample batch (a few if the first is tiny), each rolled back: the rate is the real
        // statement's on this table, locks and all, but nothing stays.
        _state.EnterPhase(Phase.Backfilling, "dry run: one sample batch, rolled back");
        var watch = Stopwatch.StartNew();
        long scanned = 0;
        var elapsed = TimeSpan.Zero;
        var done = false;
        for (var i = 0; i < 5 && !done && (i == 0 || watch.Elapsed < _options.Run.DryRunSampleTime); i++)
        {
            var batch = await RunRangeAsync(commit: false, cancellationToken).ConfigureAwait(false);
            scanned += batch.Scanned;
            elapsed += batch.Elapsed;
            done = batch.Done;
            _sizer.Observe(batch.Scanned, batch.Elapsed);
        }

        var rate = scanned > 0 && elapsed > TimeSpan.Zero ? scanned / elapsed.TotalSeconds : (double?)null;
        var size = _sizer.Current;
        var batches = Math.Max(1, (plan.EstimatedRows + size - 1) / size);
        _state.EnterPhase(Phase.Done);
        return Result(ExitCodes.Success, "dry-run", $"Dry run: nothing on {_options.Table} was changed; the sample batch was rolled back. Add --execute to run it.") with
        {
            RowsProcessed = scanned,
            BatchSize = size,
            EstimatedBatches = batches,
            SampleRowsPerSecond = rate,
            EstimatedDuration = rate is > 0 ? TimeSpan.FromSeconds(plan.EstimatedRows / rate.Value) : null,
            Plan = _backend.DescribeBatch(),
        };
    }

    private async Task BatchesAsync(CancellationToken cancellationToken)
    {
        _batchClock.Start();
        var done = false;
        var failures = 0;
        while (!done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await ThrottleAsync(cancellationToken).ConfigureAwait(false))
            {
                await Task.Delay(IdlePoll, cancellationToken).ConfigureAwait(false);
                await TickAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            _sizer.Target = _control.ChunkTime;
            if (_control.TakeRequestedChunkSize() is { } requested)
            {
                _sizer.Set(requested);
                _sink.OnMessage($"batch size set to {_sizer.Current} rows by the operator");
            }

            BackfillBatch batch;
            try
            {
                batch = await NextBatchAsync(cancellationToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (RetryableDatabaseException retryable)
            {
                // Lock wait timeout or deadlock: the batch rolled back as a whole (checkpoint too);
                // retry it smaller after a jittered backoff, a bounded number of times.
                if (++failures >= _options.BatchAttempts)
                {
                    throw new ShadowCopyException(
                        $"A batch could not get its locks in {_options.BatchAttempts} attempts ({retryable.Message}); {_batches:N0} committed batches stay and `--execute --resume` continues after them. Find the long transaction holding rows of {_options.Table}.",
                        ExitCodes.Aborted,
                        retryable);
                }

                var size = _sizer.OnFailure();
                var delay = Backoff.Jittered(failures, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
                _sink.OnMessage($"batch rolled back ({retryable.Message}); retry {failures}/{_options.BatchAttempts - 1} with {size} rows in {delay.TotalMilliseconds:0} ms");
                Emit(RunEventKinds.Validation, ("gate", "batch-retry"), ("attempt", failures), ("error", retryable.Message), ("batch_size", size));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            _batches++;
            _batchesThisRun++;
            _updated += batch.Updated;
            _state.RowsCopied += batch.Scanned;
            _state.ChangesApplied = _updated;
            _state.LastChunkSize = batch.Scanned;
            done = batch.Done;
            _sizer.Observe(batch.Scanned, batch.Elapsed);
            if (_latency is not null)
            {
                await _latency.PaceAsync(batch.Elapsed, cancellationToken).ConfigureAwait(false);
            }

            if (_options.Run.MaxRowsPerSecond is { } limit)
            {
                var wait = RateLimiter.DelayFor(_state.RowsCopied - _processedAtStart, _batchClock.Elapsed, limit);
                if (wait > TimeSpan.Zero)
                {
                    _state.ThrottleReason = $"rate limit {limit} rows/s";
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
            }

            await TickAsync(cancellationToken).ConfigureAwait(false);
        }

        _batchClock.Stop();
        _state.RowsEstimated = Math.Max(_state.RowsEstimated, _state.RowsCopied);
    }

    private Task<bool> ThrottleAsync(CancellationToken cancellationToken) => _session.ThrottleAsync(cancellationToken);

    private Task TickAsync(CancellationToken cancellationToken)
    {
        Report(force: false);
        _session.TickStatusHook(cancellationToken);
        return Task.CompletedTask;
    }

    private void Report(bool force)
    {
        if (!force && _session.Elapsed - _lastStatus < _options.Run.StatusInterval)
        {
            return;
        }

        _lastStatus = _session.Elapsed;
        var seconds = _batchClock.Elapsed.TotalSeconds;
        var processed = _state.RowsCopied - _processedAtStart;
        var rate = seconds > 0 ? processed / seconds : 0;
        TimeSpan? eta = rate > 0 && _state.Phase == Phase.Backfilling ? TimeSpan.FromSeconds(Math.Max(0, _state.RowsEstimated - _state.RowsCopied) / rate) : null;
        var snapshot = new StatusSnapshot(
            Phase.Backfilling,
            _state.RowsCopied,
            Math.Max(_state.RowsEstimated, _state.RowsCopied),
            rate,
            eta,
            0,
            _updated,
            _sizer.Current,
            _state.ThrottleReason,
            _session.Elapsed)
        {
            LastChunkRows = _state.LastChunkSize,
            AppLatency = _latency?.Measured,
            AppLatencyBudget = _latency?.Budget,
            AppLatencyPaced = _latency?.Paced ?? TimeSpan.Zero,
            AppLatencyDetail = _latency?.Describe(),
        };
        _control.LastStatus = snapshot;
        _sink.OnStatus(snapshot);
    }

    private static string Describe(BackfillReport report) =>
        $"{report.TotalRows:N0} rows in the table, {(report.RemainingRows is { } r ? $"{r:N0} still matching --where" : "no --where")}, {(report.DriftedRows is { } d ? $"{d:N0} matching --verify (drift)" : "no --verify")}";

    private BackfillResult Result(int exitCode, string outcome, string? message) => new()
    {
        ExitCode = exitCode,
        Outcome = outcome,
        Message = message,
        KeyColumns = _key,
        Batches = _batches,
        BatchesThisRun = _batchesThisRun,
        RowsProcessed = _state.RowsCopied,
        RowsUpdated = _updated,
        EstimatedRows = _state.RowsEstimated,
        Duration = _session.Elapsed,
        AppLatencyBaseline = _latency?.Baseline,
        AppLatencyBudget = _latency?.Budget,
        AppLatencyPaced = _latency?.Paced ?? TimeSpan.Zero,
        BatchSize = _sizer.Current,
    };

    private void Emit(string kind, params (string Key, object? Value)[] data) => _session.Emit(kind, data);

    /// <summary>
    /// The rows earlier batches skipped (held by an application transaction then), then the next key
    /// range. Done when the key space is walked and no skipped row is left.
    /// </summary>
    private async Task<BackfillBatch> NextBatchAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var updated = await _ledger.UpdateSkippedAsync(() => _backend.UpdateSkippedRowAsync(_ledger.Skipped, _ledger.Exhausted, cancellationToken)).ConfigureAwait(false);
        long scanned = 0;
        if (!_ledger.Exhausted)
        {
            var range = await RunRangeAsync(commit: true, cancellationToken).ConfigureAwait(false);
            scanned = range.Scanned;
            updated += range.Updated;
        }

        return new BackfillBatch(scanned, updated, _ledger.Exhausted && _ledger.Skipped.Count == 0, watch.Elapsed);
    }

    private Task<BackfillBatch> RunRangeAsync(bool commit, CancellationToken cancellationToken) =>
        _ledger.RunRangeAsync(commit, lower => _backend.RunRangeAsync(lower, _ledger.Skipped, _sizer.Current, commit, cancellationToken));
}
