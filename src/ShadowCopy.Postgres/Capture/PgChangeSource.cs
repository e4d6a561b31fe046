using ShadowCopy.Core.Capture;

namespace ShadowCopy.Postgres.Capture;

/// <summary>
/// The run's change source: installs the capture (after clearing autovacuum off the table), applies
/// batches on the main session and reports the backlog, whatever the mode behind <see cref="IPgCapture"/>.
/// </summary>
internal sealed class PgChangeSource(PgRun run) : IChangeSource
{
    public async Task StartCaptureAsync(CancellationToken cancellationToken)
    {
        run.Transcript.Step = "install capture";
        // The trigger (SHARE ROW EXCLUSIVE) and the publication (SHARE UPDATE EXCLUSIVE) both wait for an autovacuum.
        await run.ClearAutovacuumAsync(run.Main, shadow: null, cancellationToken).ConfigureAwait(false);
        await run.Capture.StartAsync(run.Main, cancellationToken).ConfigureAwait(false);
        Log.CaptureStarted(run.Logger, run.Mode.Name);
        run.Transcript.Step = "copy";
    }

    public async Task<long> ApplyChangesAsync(int maxChanges, CancellationToken cancellationToken)
    {
        if (run.CaptureOrNull is not { } capture)
        {
            return 0;
        }

        var applied = await capture.ApplyAsync(run.Main, maxChanges, ownTransaction: true, cancellationToken).ConfigureAwait(false);
        if (applied > 0 && run.AfterApplyForTests is { } hook)
        {
            await hook(run.Main, cancellationToken).ConfigureAwait(false);
        }

        return applied;
    }

    public Task<long> GetBacklogAsync(CancellationToken cancellationToken) =>
        run.CaptureOrNull is not { } capture ? Task.FromResult(0L) : capture.BacklogAsync(run.Main, cancellationToken);
}
