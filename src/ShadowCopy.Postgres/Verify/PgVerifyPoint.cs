using Npgsql;
using ShadowCopy.Core.Model;
using ShadowCopy.Postgres.Capture;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres.Verify;

/// <summary>
/// A consistent point (ADR 0004): hold SHARE on the original (writers wait; bounded), apply the
/// captured changes to empty, open a REPEATABLE READ snapshot on the run's snapshot session and the
/// same (exported) snapshot on its twin, release. In that snapshot the shadow equals the original
/// over the copied columns; both transactions are left open for the caller to read and commit.
/// </summary>
internal sealed class PgVerifyPoint(PgRun run, PgChangeSource changes)
{
    private static readonly PgDialect D = PgDialect.Instance;

    public async Task TakeAsync(CancellationToken cancellationToken)
    {
        run.Side ??= await run.OpenAsync(cancellationToken).ConfigureAwait(false);
        run.Snapshot ??= await run.OpenAsync(cancellationToken).ConfigureAwait(false);
        run.SnapshotTwin ??= await run.OpenAsync(cancellationToken).ConfigureAwait(false);
        var (side, snapshot, twin) = (run.Side, run.Snapshot, run.SnapshotTwin);
        await run.Capture.FenceAsync(side, run.Main, applyInOwnTransaction: true, run.CaptureOptions.CatchUpFenceTimeout, cancellationToken).ConfigureAwait(false);
        while (await changes.ApplyChangesAsync(run.Options.ApplyBatchSize * 5, cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        await LockForSnapshotAsync(side, cancellationToken).ConfigureAwait(false);
        string? snapshotId;
        try
        {
            while (await changes.ApplyChangesAsync(run.Options.ApplyBatchSize * 5, cancellationToken).ConfigureAwait(false) > 0)
            {
            }

            await snapshot.ExecuteAsync("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", null, cancellationToken).ConfigureAwait(false);
            snapshotId = await snapshot.ScalarAsync<string>("SELECT pg_catalog.pg_export_snapshot()", null, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await side.RollbackQuietlyAsync().ConfigureAwait(false);
        }

        // A second session imports the same snapshot, so the original's and the shadow's checksums
        // of a chunk are computed at the same time on two backends (two cores) yet see one state.
        try
        {
            await twin.ExecuteAsync("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", null, cancellationToken).ConfigureAwait(false);
            await twin.ExecuteAsync($"SET TRANSACTION SNAPSHOT {D.QuoteLiteral(snapshotId!)}", null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await snapshot.RollbackQuietlyAsync().ConfigureAwait(false);
            await twin.RollbackQuietlyAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task LockForSnapshotAsync(PgSession side, CancellationToken cancellationToken)
    {
        var options = run.Options;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await run.ClearAutovacuumAsync(side, shadow: null, cancellationToken).ConfigureAwait(false);
                await side.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
                await side.ExecuteAsync(PgObjects.LockTimeout(options.CutOverLockTimeout), null, cancellationToken).ConfigureAwait(false);
                await side.ExecuteAsync($"LOCK TABLE {run.Sql.Source} IN SHARE MODE", null, cancellationToken).ConfigureAwait(false);
                await run.Capture.FenceAsync(side, run.Main, applyInOwnTransaction: true, run.CaptureOptions.FenceTimeout, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (PgFenceTimeoutException) when (attempt < options.CutOverAttempts)
            {
                await side.RollbackQuietlyAsync().ConfigureAwait(false);
            }
            catch (PostgresException error) when (PgErrors.IsLockTimeout(error) && attempt < options.CutOverAttempts)
            {
                await side.RollbackQuietlyAsync().ConfigureAwait(false);
                await Task.Delay(Backoff.Jittered(attempt, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5)), cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException error) when (PgErrors.IsLockTimeout(error))
            {
                await side.RollbackQuietlyAsync().ConfigureAwait(false);
                throw new ShadowCopyException($"Verification could not get a consistent point: SHARE lock on {run.Table} not granted within {options.CutOverLockTimeout.TotalMilliseconds:0} ms after {attempt} attempts. Nothing was swapped.", ExitCodes.VerificationFailed, error);
            }
        }
    }
}
