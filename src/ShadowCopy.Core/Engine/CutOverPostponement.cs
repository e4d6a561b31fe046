using ShadowCopy.Core.Control;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.Engine;

/// <summary>
/// The human's hold on the cut-over: keeps the shadow in sync while anything holds it — the postpone
/// flag file, the operator (<c>ctl postpone-cut-over</c>) or a failing on-before-cut-over hook (retried
/// every <see cref="AlterOptions.HookRetryInterval"/>). The reason is shown in status. It lives beside
/// the run loop rather than in CutOver/ because it needs the run's hooks and control, which the
/// cut-over loop's seam does not see.
/// </summary>
internal sealed class CutOverPostponement(AlterRunLoop run, IAlterBackend backend, VerificationLoop verification, AlterOptions options, RunControl control)
{
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var state = run.State;
        var nextHook = TimeSpan.Zero;
        string? hookFailure = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? reason = null;
            if (options.PostponeCutOverFlagFile is { } flag && File.Exists(flag))
            {
                reason = $"cut-over waits while {flag} exists";
            }
            else if (control.PostponeCutOver)
            {
                reason = "cut-over postponed by the operator (shadowcopy ctl unpostpone to proceed)";
            }
            else if (run.HasHooks)
            {
                if (run.Elapsed >= nextHook)
                {
                    var outcome = await run.RunHookAsync(HookNames.BeforeCutOver, cancellationToken: cancellationToken).ConfigureAwait(false);
                    hookFailure = outcome.Succeeded ? null : outcome.Failure ?? "failed";
                    nextHook = run.Elapsed + options.HookRetryInterval;
                }

                if (hookFailure is not null)
                {
                    reason = $"on-before-cut-over hook failed ({hookFailure}); retrying every {options.HookRetryInterval.TotalSeconds:0} s";
                }
            }

            control.PostponeReason = reason;
            if (reason is null)
            {
                if (state.Phase == Phase.Postponed)
                {
                    state.ThrottleReason = null;
                }

                return;
            }

            if (state.Phase != Phase.Postponed || state.ThrottleReason != reason)
            {
                state.ThrottleReason = reason;
                state.EnterPhase(Phase.Postponed, reason);
            }

            await run.ApplyForAsync(IRunLoop.IdlePoll, cancellationToken).ConfigureAwait(false);
            state.Backlog = await backend.GetBacklogAsync(cancellationToken).ConfigureAwait(false);
            await run.Gate.CheckAsync(abortChecksOnly: true, cancellationToken).ConfigureAwait(false);
            await verification.VerifyChangedRowsAsync(force: false, cancellationToken).ConfigureAwait(false);
            await run.TickAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(IRunLoop.IdlePoll, cancellationToken).ConfigureAwait(false);
        }
    }
}
