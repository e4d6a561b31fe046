using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Logging;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.CutOver;

/// <summary>
/// The cut-over phase, once for every engine: bounded attempts of the engine's
/// <see cref="ICutOverStrategy"/>, each after a catch-up and a delta verification in the open. A lock
/// that is not granted in time leaves the original serving and is retried after a jittered backoff;
/// an attempt that gave its lock back to verify changed rows first is retried at once without
/// counting (at most <see cref="VerificationLoop.MaxVerifyRetries"/> times). Anything else ends the run
/// with the original still serving.
/// </summary>
public sealed class CutOverLoop(IRunLoop run, ICutOverStrategy strategy, VerificationLoop verification, AlterOptions options, ILogger logger)
{
    /// <summary>Attempts made (the one that succeeded included).</summary>
    public int Attempts { get; private set; }

    /// <summary>How long the last attempt waited for its lock.</summary>
    public long LockWaitMs { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string? lastError = null;
        var verifyRetries = 0;
        for (var attempt = 1; attempt <= options.CutOverAttempts; attempt++)
        {
            await run.CatchUpAsync(options.ApplyBatchSize, cancellationToken).ConfigureAwait(false);
            var verify = await verification.PrepareCutOverAsync(verifyAll: verifyRetries > 0, cancellationToken).ConfigureAwait(false);
            Attempts = attempt;
            var result = await strategy.TryCutOverAsync(options.CutOverLockTimeout, verify, cancellationToken).ConfigureAwait(false);
            LockWaitMs = result.LockWaitMs;
            await verification.SettleAsync(result.Verified, cancellationToken).ConfigureAwait(false);

            if (!result.Succeeded && (result.NeedsVerification || result.Verified is { Compared.Mismatched.Count: > 0 }) && verifyRetries++ < VerificationLoop.MaxVerifyRetries)
            {
                // Not a lock failure: the lock was released to verify (or re-apply) changed rows in
                // the open first. Try again at once, without spending an attempt.
                run.Message($"cut-over: {result.Error ?? "changed rows differ"}; verifying them before trying again");
                attempt--;
                continue;
            }

            run.Emit(
                RunEventKinds.CutOverAttempt,
                ("attempt", attempt),
                ("max", options.CutOverAttempts),
                ("succeeded", result.Succeeded),
                ("lock_timed_out", result.LockTimedOut),
                ("lock_wait_ms", result.LockWaitMs),
                ("error", result.Error));
            if (result.Succeeded)
            {
                Log.CutOverDone(logger, attempt, result.LockWaitMs);
                return;
            }

            lastError = result.Error;
            if (result.NeedsVerification)
            {
                // Writes keep more rows changed than the lock may verify: swapping them unverified is
                // not an option, holding the lock longer is the user's call.
                throw new ShadowCopyException(
                    $"Cut-over not done: the application changes rows faster than they can be verified before the swap ({result.Error}, still after {VerificationLoop.MaxVerifyRetries} rounds in the open). Nothing was swapped; the original table is still serving. Run again when writes are quieter, or let the lock last longer with --cut-over-verify-budget (now {options.CutOverVerifyBudget.TotalMilliseconds:0} ms).",
                    ExitCodes.CutOverFailed);
            }

            if (!result.LockTimedOut)
            {
                throw new ShadowCopyException($"Cut-over failed: {result.Error}. The original table is still serving.", ExitCodes.CutOverFailed);
            }

            // Jittered exponential backoff, capped, so we do not line up with the blocker again.
            var delay = Backoff.Jittered(attempt, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
            Log.CutOverLockTimeout(logger, attempt, options.CutOverAttempts, (long)options.CutOverLockTimeout.TotalMilliseconds, (long)delay.TotalMilliseconds);
            run.Message($"cut-over attempt {attempt}/{options.CutOverAttempts}: lock not granted within {options.CutOverLockTimeout.TotalMilliseconds:0} ms; original still serving; retrying");
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }

        throw new ShadowCopyException(
            $"Cut-over gave up after {options.CutOverAttempts} attempts ({lastError}). The original table is still serving; find the long transaction holding locks on {options.Table} and run again.",
            ExitCodes.CutOverFailed);
    }
}
