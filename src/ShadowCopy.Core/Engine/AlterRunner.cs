using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Logging;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Engine;

/// <summary>
/// Drives one online ALTER through its phases (docs/architecture.md): preflight, shadow, capture,
/// copy interleaved with apply, catch-up, verify, postpone, cut-over, cleanup. Engine-specific
/// work is in the <see cref="IAlterBackend"/>. Whatever happens before the swap, the original
/// table is left as it was and every helper object is removed.
/// </summary>
public sealed class AlterRunner
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(250);

    private readonly IAlterBackend _backend;
    private readonly AlterOptions _options;
    private readonly IStatusSink _sink;
    private readonly ILogger _logger;
    private readonly IReadOnlyList<IThrottler> _throttlers;
    private readonly RunState _state;
    private readonly Stopwatch _clock = new();
    private readonly Stopwatch _copyClock = new();
    private readonly AdaptiveChunkSizer _sizer;
    private TimeSpan _lastStatus = TimeSpan.FromDays(-1);

    public AlterRunner(IAlterBackend backend, AlterOptions options, IStatusSink sink, ILogger logger, IReadOnlyList<IThrottler>? throttlers = null)
    {
        _backend = backend;
        _options = options;
        _sink = sink;
        _logger = logger;
        var list = new List<IThrottler>(throttlers ?? []);
        if (options.ThrottleFlagFile is { } flag)
        {
            list.Add(new FlagFileThrottler(flag));
        }

        _throttlers = list;
        _state = new RunState(sink, logger);
        _sizer = new AdaptiveChunkSizer(options.InitialChunkSize, options.MinChunkSize, options.MaxChunkSize, options.ChunkTime);
    }

    public Phase Phase => _state.Phase;

    public async Task<AlterResult> RunAsync(CancellationToken cancellationToken)
    {
        _clock.Start();
        var shadowCreated = false;
        var swapped = false;
        var summary = new Summary();
        try
        {
            _state.EnterPhase(Phase.Preflight);
            var report = await _backend.PreflightAsync(cancellationToken).ConfigureAwait(false);
            _state.RowsEstimated = report.EstimatedRows;
            summary.Warnings.AddRange(report.Warnings);
            foreach (var warning in report.Warnings)
            {
                _sink.OnMessage($"warning: {warning}");
            }

            _state.EnterPhase(Phase.CreatingShadow);
            shadowCreated = true;
            await _backend.CreateShadowAsync(cancellationToken).ConfigureAwait(false);

            if (!_options.Execute)
            {
                return await DryRunAsync(report, cancellationToken).ConfigureAwait(false);
            }

            _state.EnterPhase(Phase.InstallingCapture);
            await _backend.StartCaptureAsync(cancellationToken).ConfigureAwait(false);

            _state.EnterPhase(Phase.Copying);
            await CopyAllAsync(cancellationToken).ConfigureAwait(false);
            await _backend.FinishCopyAsync(cancellationToken).ConfigureAwait(false);

            _state.EnterPhase(Phase.CatchingUp);
            await CatchUpAsync(_options.CutOverMaxBacklog, cancellationToken).ConfigureAwait(false);

            _state.EnterPhase(Phase.Verifying);
            await VerifyAsync(summary, cancellationToken).ConfigureAwait(false);

            await WaitWhilePostponedAsync(cancellationToken).ConfigureAwait(false);

            _state.EnterPhase(Phase.CuttingOver);
            await CutOverAsync(summary, cancellationToken).ConfigureAwait(false);
            swapped = true;

            // From here on the new table serves: finish what we owe even if asked to stop.
            _state.EnterPhase(Phase.CleaningUp);
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
            if (swapped)
            {
                _state.EnterPhase(Phase.Failed, "stopped after the swap; the new table serves");
                return Result(ExitCodes.Cancelled, "cancelled", "Stopped after the swap: the new table is in place; run `shadowcopy cleanup` to remove helper objects left behind.", summary);
            }

            await CleanupAsync(shadowCreated, "cancellation").ConfigureAwait(false);
            _state.EnterPhase(Phase.Cancelled);
            return Result(ExitCodes.Cancelled, "cancelled", "Cancelled before cut-over; the original table is untouched and helper objects were removed.", summary);
        }
        catch (PreflightRefusedException refusal)
        {
            await CleanupAsync(shadowCreated, "refusal").ConfigureAwait(false);
            _state.EnterPhase(Phase.Failed, refusal.Reason.Id());
            return Result(refusal.ExitCode, "refused", refusal.Message, summary) with { RefusalId = refusal.Reason.Id() };
        }
        catch (ShadowCopyException failure)
        {
            if (!swapped)
            {
                await CleanupAsync(shadowCreated, "failure").ConfigureAwait(false);
            }

            Log.RunFailed(_logger, failure, failure.Message);
            _state.EnterPhase(Phase.Failed);
            return Result(failure.ExitCode, "failed", failure.Message, summary);
        }
        catch (Exception unexpected)
        {
            if (!swapped)
            {
                await CleanupAsync(shadowCreated, "failure").ConfigureAwait(false);
            }

            Log.RunFailed(_logger, unexpected, unexpected.Message);
            _state.EnterPhase(Phase.Failed);
            return Result(ExitCodes.InternalError, "failed", unexpected.Message, summary);
        }
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

    private async Task CopyAllAsync(CancellationToken cancellationToken)
    {
        _copyClock.Start();
        var done = false;
        var failures = 0;
        while (!done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await ThrottleReasonAsync(cancellationToken).ConfigureAwait(false) is { } reason)
            {
                if (_state.ThrottleReason != reason)
                {
                    Log.Throttled(_logger, reason);
                }

                _state.ThrottleReason = reason;
                await ApplyForAsync(IdlePoll, cancellationToken).ConfigureAwait(false);
                await Task.Delay(IdlePoll, cancellationToken).ConfigureAwait(false);
                await ReportAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            _state.ThrottleReason = null;
            ChunkResult chunk;
            try
            {
                chunk = await _backend.CopyChunkAsync(_sizer.Current, cancellationToken).ConfigureAwait(false);
                failures = 0;
            }
            catch (RetryableDatabaseException retryable) when (failures < 5)
            {
                // Deadlocks and lock wait timeouts: smaller chunk, back off, bounded (5 in a row).
                failures++;
                var size = _sizer.OnFailure();
                Log.ChunkRetry(_logger, failures, 5, size, retryable.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * (1 << failures)), cancellationToken).ConfigureAwait(false);
                continue;
            }

            _state.RowsCopied += chunk.Rows;
            _state.ChunksCopied++;
            done = chunk.Done;
            _sizer.Observe(chunk.Rows, chunk.Elapsed);

            // Copy and apply share the loop so neither starves: after each chunk, apply for at
            // most one chunk time (the backlog is shown in status).
            await ApplyForAsync(_options.ChunkTime, cancellationToken).ConfigureAwait(false);

            if (_options.MaxRowsPerSecond is { } limit)
            {
                var wait = RateLimiter.DelayFor(_state.RowsCopied, _copyClock.Elapsed, limit);
                if (wait > TimeSpan.Zero)
                {
                    _state.ThrottleReason = $"rate limit {limit} rows/s";
                    await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                }
            }

            await ReportAsync(cancellationToken).ConfigureAwait(false);
        }

        _copyClock.Stop();
        Log.CopyFinished(_logger, _state.RowsCopied, _state.ChunksCopied);
    }

    private async Task<string?> ThrottleReasonAsync(CancellationToken cancellationToken)
    {
        foreach (var throttler in _throttlers)
        {
            if (await throttler.CheckAsync(cancellationToken).ConfigureAwait(false) is { } reason)
            {
                return reason;
            }
        }

        return null;
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
            await ReportAsync(cancellationToken).ConfigureAwait(false);
            if (_state.Backlog <= threshold && applied < _options.ApplyBatchSize)
            {
                return;
            }
        }
    }

    private async Task VerifyAsync(Summary summary, CancellationToken cancellationToken)
    {
        var round = await _backend.VerifyChunksAsync(null, cancellationToken).ConfigureAwait(false);
        Log.VerifyRound(_logger, round.ChunksChecked, round.RowsChecked, round.MismatchedChunks.Count);
        summary.ChunksVerified = round.ChunksChecked;
        summary.RowsVerified = round.RowsChecked;
        var mismatched = round.MismatchedChunks;
        var attempt = 0;
        while (mismatched.Count > 0)
        {
            attempt++;
            if (attempt > _options.VerifyAttempts)
            {
                throw new ShadowCopyException(
                    $"Verification failed: {mismatched.Count} chunk(s) still differ after {_options.VerifyAttempts} re-copies (first: chunk {mismatched[0]}). Nothing was swapped; the original table is untouched.",
                    ExitCodes.VerificationFailed);
            }

            _sink.OnMessage($"verification: {mismatched.Count} chunk(s) differ; re-copying (attempt {attempt}/{_options.VerifyAttempts})");
            await _backend.RecopyChunksAsync(mismatched, cancellationToken).ConfigureAwait(false);
            summary.ChunksRecopied += mismatched.Count;
            // Not "until the backlog is empty": under steady writes it rarely is (a test spun for
            // minutes). Verification drains the rest under its own short lock.
            await CatchUpAsync(_options.CutOverMaxBacklog, cancellationToken).ConfigureAwait(false);
            round = await _backend.VerifyChunksAsync(mismatched, cancellationToken).ConfigureAwait(false);
            Log.VerifyRound(_logger, round.ChunksChecked, round.RowsChecked, round.MismatchedChunks.Count);
            mismatched = round.MismatchedChunks;
        }

        _sink.OnMessage($"verification passed: {summary.ChunksVerified} chunks, {summary.RowsVerified} rows, checksums equal");
    }

    private async Task WaitWhilePostponedAsync(CancellationToken cancellationToken)
    {
        if (_options.PostponeCutOverFlagFile is not { } flag)
        {
            return;
        }

        while (File.Exists(flag))
        {
            if (_state.Phase != Phase.Postponed)
            {
                _state.EnterPhase(Phase.Postponed, $"cut-over waits while {flag} exists");
            }

            await ApplyForAsync(IdlePoll, cancellationToken).ConfigureAwait(false);
            _state.Backlog = await _backend.GetBacklogAsync(cancellationToken).ConfigureAwait(false);
            await ReportAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(IdlePoll, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task CutOverAsync(Summary summary, CancellationToken cancellationToken)
    {
        var random = new Random();
        string? lastError = null;
        for (var attempt = 1; attempt <= _options.CutOverAttempts; attempt++)
        {
            await CatchUpAsync(_options.ApplyBatchSize, cancellationToken).ConfigureAwait(false);
            summary.CutOverAttempts = attempt;
            var result = await _backend.TryCutOverAsync(_options.CutOverLockTimeout, cancellationToken).ConfigureAwait(false);
            summary.CutOverLockWaitMs = result.LockWaitMs;
            if (result.Succeeded)
            {
                Log.CutOverDone(_logger, attempt, result.LockWaitMs);
                return;
            }

            lastError = result.Error;
            if (!result.LockTimedOut)
            {
                throw new ShadowCopyException($"Cut-over failed: {result.Error}. The original table is still serving.", ExitCodes.CutOverFailed);
            }

            // Jittered exponential backoff, capped, so we do not line up with the blocker again.
            var baseMs = Math.Min(10_000, 250 * (1 << Math.Min(attempt, 6)));
            var delay = TimeSpan.FromMilliseconds(baseMs * (0.5 + random.NextDouble()));
            Log.CutOverLockTimeout(_logger, attempt, _options.CutOverAttempts, (long)_options.CutOverLockTimeout.TotalMilliseconds, (long)delay.TotalMilliseconds);
            _sink.OnMessage($"cut-over attempt {attempt}/{_options.CutOverAttempts}: lock not granted within {_options.CutOverLockTimeout.TotalMilliseconds:0} ms; original still serving; retrying");
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }

        throw new ShadowCopyException(
            $"Cut-over gave up after {_options.CutOverAttempts} attempts ({lastError}). The original table is still serving; find the long transaction holding locks on {_options.Table} and run again.",
            ExitCodes.CutOverFailed);
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
        var copySeconds = _copyClock.Elapsed.TotalSeconds;
        var rate = copySeconds > 0 ? _state.RowsCopied / copySeconds : 0;
        TimeSpan? eta = null;
        if (rate > 0 && _state.Phase == Phase.Copying)
        {
            var remaining = Math.Max(0, _state.RowsEstimated - _state.RowsCopied);
            eta = TimeSpan.FromSeconds(remaining / rate);
        }

        _sink.OnStatus(new StatusSnapshot(
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
        });
    }

    private AlterResult Result(int exitCode, string outcome, string? message, Summary summary) => new()
    {
        ExitCode = exitCode,
        Outcome = outcome,
        Message = message,
        RowsCopied = _state.RowsCopied,
        ChangesApplied = _state.ChangesApplied,
        ChunksVerified = summary.ChunksVerified,
        RowsVerified = summary.RowsVerified,
        ChunksRecopied = summary.ChunksRecopied,
        CutOverAttempts = summary.CutOverAttempts,
        CutOverLockWaitMs = summary.CutOverLockWaitMs,
        Duration = _clock.Elapsed,
        ShadowTable = _backend.Names.Shadow,
        OldTable = _backend.Names.Old,
        EstimatedRows = _state.RowsEstimated,
        Warnings = summary.Warnings,
    };

    private sealed class Summary
    {
        public List<string> Warnings { get; } = [];

        public int ChunksVerified { get; set; }

        public long RowsVerified { get; set; }

        public int ChunksRecopied { get; set; }

        public int CutOverAttempts { get; set; }

        public long CutOverLockWaitMs { get; set; }
    }
}
