using ShadowCopy.Core.Verification;
using ShadowCopy.Postgres.Capture;

namespace ShadowCopy.Postgres.Verify;

/// <summary>
/// Delta verification (ADR 0019): the keys the applier touched after their chunk was verified are
/// compared again, without a lock where the capture shows which changes are still queued (trigger
/// capture), otherwise at a verification point; mismatches are re-applied with the applier's statements.
/// </summary>
internal sealed class PgDeltaVerifier(PgRun run, PgVerifyPoint point) : IKeyVerifier
{
    public DirtyKeySet? AppliedKeys
    {
        get => run.AppliedKeys;
        set
        {
            run.AppliedKeys = value;
            if (run.CaptureOrNull is { } capture)
            {
                capture.AppliedKeys = value;
            }
        }
    }

    public async Task<KeyVerifyResult> VerifyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        run.Transcript.Step = "verify changed rows";
        if (!run.Mode.SeesPendingKeys)
        {
            await point.TakeAsync(cancellationToken).ConfigureAwait(false);
            return await CompareAndCommitAsync(run.Snapshot!, run.SnapshotTwin!, keys, excludePending: false, cancellationToken).ConfigureAwait(false);
        }

        // Trigger capture needs no lock: keys still in the change log are judged later (PgKeyVerifier).
        run.Snapshot ??= await run.OpenAsync(cancellationToken).ConfigureAwait(false);
        await run.Snapshot.ExecuteAsync("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", null, cancellationToken).ConfigureAwait(false);
        return await CompareAndCommitAsync(run.Snapshot, run.Snapshot, keys, excludePending: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task RecopyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        run.Transcript.Step = "re-apply changed rows";
        await new PgKeyVerifier(run.Sql).RecopyAsync(run.Main, keys, cancellationToken).ConfigureAwait(false);
        if (run.AfterApplyForTests is { } hook)
        {
            await hook(run.Main, cancellationToken).ConfigureAwait(false);
        }
    }

    public string Describe(RowKey key) => new PgKeyVerifier(run.Sql).Describe(key);

    private async Task<KeyVerifyResult> CompareAndCommitAsync(PgSession source, PgSession shadow, IReadOnlyList<RowKey> keys, bool excludePending, CancellationToken cancellationToken)
    {
        try
        {
            var result = await PgKeyVerifier.CompareAsync(run.Sql, source, shadow, keys, excludePending, cancellationToken).ConfigureAwait(false);
            await source.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            if (!ReferenceEquals(source, shadow))
            {
                await shadow.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            }

            return result;
        }
        catch
        {
            await source.RollbackQuietlyAsync().ConfigureAwait(false);
            await shadow.RollbackQuietlyAsync().ConfigureAwait(false);
            throw;
        }
    }
}
