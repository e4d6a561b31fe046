namespace ShadowCopy.Postgres.Shadow;

/// <summary>
/// Cleanup of a run that did not swap (failure, Ctrl+C): the capture is stopped, the side sessions
/// closed, and every helper object carrying the marker dropped (ADR 0005), on a fresh main session
/// when the old one broke.
/// </summary>
internal sealed class PgRunCleanup(PgRun run)
{
    public async Task CleanupAsync(CancellationToken cancellationToken)
    {
        run.Transcript.Step = "cleanup";
        if (run.CaptureOrNull is not null)
        {
            await run.CaptureOrNull.DisposeAsync().ConfigureAwait(false);
        }

        await run.CloseSideSessionsAsync().ConfigureAwait(false);
        if (run.MainSession is null || !run.MainSession.IsOpen)
        {
            if (run.MainSession is not null)
            {
                await run.MainSession.DisposeAsync().ConfigureAwait(false);
            }

            run.MainSession = await run.OpenAsync(cancellationToken).ConfigureAwait(false);
        }

        await run.Main.RollbackQuietlyAsync().ConfigureAwait(false);
        if (run.Source is not null && run.CaptureOrNull is not null && run.Mode.CleanupLocksTable)
        {
            // DROP TRIGGER takes ACCESS EXCLUSIVE on the original.
            await run.ClearAutovacuumAsync(run.Main, shadow: null, cancellationToken).ConfigureAwait(false);
        }

        await PgObjects.DropAllAsync(run.Main, run.Table, run.Names, run.Options.CutOverLockTimeout, 20, keepState: false, cancellationToken).ConfigureAwait(false);
    }
}
