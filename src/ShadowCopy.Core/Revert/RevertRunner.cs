using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Revert;

/// <summary>
/// Drives <c>revert</c> and <c>finish</c> (ADR 0031): inspect, refuse what cannot be done before
/// changing anything, verify (revert), then the bounded-lock step, retried with jitter. Reports
/// through <paramref name="say"/> and the journal; returns the exit code.
/// </summary>
public sealed class RevertRunner(IRevertBackend backend, Action<string> say, IRunObserver? journal = null)
{
    public async Task<int> RevertAsync(bool execute, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken)
    {
        var plan = await backend.InspectAsync(cancellationToken).ConfigureAwait(false);
        if (plan.SwappedBack)
        {
            return await CompleteInterruptedAsync(plan, execute, lockTimeout, attempts, cancellationToken).ConfigureAwait(false);
        }

        Describe(plan, "revert");
        Emit("revert-plan", [("old_table", plan.OldTable), ("lossless", plan.Lossless), ("execute", execute), .. plan.Status.Fields()]);
        if (plan.MisfitCount > 0)
        {
            throw new ShadowCopyException(
                $"{plan.MisfitCount} row(s) written since the swap do not fit the old shape (key {string.Join(", ", plan.Misfits)}); change or delete them, then run revert again. Nothing was changed.",
                ExitCodes.RevertNotPossible);
        }

        if (!execute)
        {
            return Rehearsed(plan, "revert");
        }

        var check = await backend.VerifyAsync(cancellationToken).ConfigureAwait(false);
        Emit(RunEventKinds.Validation, ("gate", "revert-verify"), ("old_rows", check.OldRows), ("new_rows", check.NewRows), ("equal", check.Equal));
        if (!check.Equal)
        {
            throw new ShadowCopyException(
                $"The old table differs from the new one mapped back ({check.OldRows} rows, checksum {check.OldChecksum} against {check.NewRows} rows, checksum {check.NewChecksum}); nothing was swapped.",
                ExitCodes.VerificationFailed);
        }

        say($"verified: {check.OldRows} rows equal through the inverse mapping");
        await RetryAsync("revert", t => backend.TrySwapBackAsync(t, cancellationToken), lockTimeout, attempts, cancellationToken).ConfigureAwait(false);
        Emit("reverted", ("old_table", plan.OldTable), ("rows", check.OldRows));
        say($"reverted: the table has its old shape again; the new-shape table is kept as {plan.OldTable} (drop it when satisfied).");
        return ExitCodes.Success;
    }

    public async Task<int> FinishAsync(bool execute, bool keepOldTable, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken)
    {
        var plan = await backend.InspectAsync(cancellationToken).ConfigureAwait(false);
        if (plan.SwappedBack)
        {
            throw new ShadowCopyException(
                $"An earlier revert already swapped the table back (the new shape is {plan.OldTable}) and stopped before removing the reverse capture; run `shadowcopy revert --execute` to complete it. Nothing was changed.",
                ExitCodes.RevertNotPossible);
        }

        Describe(plan, "finish");
        Emit("finish-plan", [("old_table", plan.OldTable), ("keep_old_table", keepOldTable), ("execute", execute), .. plan.Status.Fields()]);
        if (!execute)
        {
            say($"would remove the reverse capture{(keepOldTable ? string.Empty : " and drop " + plan.OldTable)}.");
            say("dry run: nothing changed; add --execute to finish.");
            return ExitCodes.Success;
        }

        await RetryAsync("finish", t => backend.TryFinishAsync(keepOldTable, t, cancellationToken), lockTimeout, attempts, cancellationToken).ConfigureAwait(false);
        Emit("finished", ("old_table", plan.OldTable), ("old_table_dropped", !keepOldTable));
        say($"finished: the change is final; {(keepOldTable ? plan.OldTable + " is kept (no longer kept in step)" : plan.OldTable + " was dropped")}.");
        return ExitCodes.Success;
    }

    /// <summary>A revert stopped after its swap back: only the removal of the reverse capture is left to do.</summary>
    private async Task<int> CompleteInterruptedAsync(RevertPlan plan, bool execute, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken)
    {
        say($"revert: an earlier revert already swapped the table back (the new shape is {plan.OldTable}) and stopped before removing the reverse capture");
        Emit("revert-plan", ("old_table", plan.OldTable), ("swapped_back", true), ("execute", execute));
        if (!execute)
        {
            return Rehearsed(plan, "complete the revert");
        }

        await RetryAsync("revert", t => backend.TrySwapBackAsync(t, cancellationToken), lockTimeout, attempts, cancellationToken).ConfigureAwait(false);
        Emit("reverted", ("old_table", plan.OldTable), ("completed_interrupted", true));
        say($"reverted: the interrupted revert is complete; the new-shape table is kept as {plan.OldTable} (drop it when satisfied).");
        return ExitCodes.Success;
    }

    private int Rehearsed(RevertPlan plan, string what)
    {
        foreach (var step in plan.Steps)
        {
            say("  would run: " + step);
        }

        say($"dry run: nothing changed; add --execute to {what}.");
        return ExitCodes.Success;
    }

    private void Describe(RevertPlan plan, string verb)
    {
        var status = plan.Status.Lines(DateTimeOffset.UtcNow).ToList();
        say($"{verb}: {plan.OldTable} is kept in step with the new table");
        say("  revertible: " + status[0]);
        foreach (var line in status.Skip(1))
        {
            say("  " + line);
        }

        say($"  columns carried back: {string.Join(", ", plan.Columns.Select(c => c.Old == c.New ? c.Old : $"{c.New} -> {c.Old}"))}");
        say(plan.Lossless ? "  inverse mapping: lossless" : "  inverse mapping: not lossless: " + string.Join("; ", plan.Lost));
        if (plan.MisfitCount > 0)
        {
            say($"  keys that do not fit back: {string.Join(", ", plan.Misfits)}{(plan.MisfitCount > plan.Misfits.Count ? ", …" : string.Empty)}");
        }
    }

    private async Task RetryAsync(string what, Func<TimeSpan, Task<bool>> attempt, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken)
    {
        for (var i = 1; i <= attempts; i++)
        {
            if (await attempt(lockTimeout).ConfigureAwait(false))
            {
                return;
            }

            Emit("lock-timeout", ("step", what), ("attempt", i));
            say($"{what}: lock not granted within {lockTimeout.TotalSeconds:0.###} s (attempt {i} of {attempts})");
            if (i < attempts)
            {
                await Task.Delay(Backoff.Jittered(i, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5)), cancellationToken).ConfigureAwait(false);
            }
        }

        throw new ShadowCopyException($"{what}: the lock was not granted in {attempts} attempts; nothing was changed. Try again when the table is less busy, or with a longer --lock-timeout.", ExitCodes.CutOverFailed);
    }

    private void Emit(string kind, params (string Key, object? Value)[] data) => journal?.OnEvent(RunEvent.Create(kind, data));
}
