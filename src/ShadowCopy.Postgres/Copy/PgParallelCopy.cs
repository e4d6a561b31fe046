using Npgsql;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Postgres.Copy;

/// <summary>
/// --threads N (IParallelCopyBackend): chunks are planned on the main session by a keys-only read
/// and copied by worker sessions with the same range statement a re-copy uses. Each worker copies
/// from its own statement's snapshot, so changes are applied only between rounds (ApplyDuringCopy
/// is false, and planning never overlaps copying). The copy cursor — the checkpoint's watermark —
/// advances only over the contiguous prefix of completed chunks.
/// </summary>
internal sealed class PgParallelCopy(PgRun run, PgChunkCopier copier) : IParallelCopyBackend
{
    public bool ApplyDuringCopy => false;

    public async Task<PlannedChunk?> PlanChunkAsync(int chunkSize, CancellationToken cancellationToken)
    {
        if (!run.Ledger.TryStartPlan(out var lower))
        {
            return null;
        }

        run.Transcript.Step = "copy (plan)";
        var args = new List<object?>();
        if (lower is not null)
        {
            args.AddRange(lower);
        }

        args.Add((long)Math.Max(0, chunkSize - 1));
        var rows = await run.Main.QueryAsync(run.Sql.NextBoundary(lower is not null), args, cancellationToken).ConfigureAwait(false);

        // No key chunkSize rows on: this is the last chunk, open-ended like the sequential copy's.
        var upper = rows.Count == 0 ? null : rows[0].Select(v => (string)v!).ToArray();
        return run.Ledger.Planned(lower, upper);
    }

    public async Task<ChunkResult> CopyPlannedChunkAsync(PlannedChunk chunk, int worker, CancellationToken cancellationToken)
    {
        var session = await run.Workers.SessionAsync(worker, cancellationToken).ConfigureAwait(false);
        return await run.Ledger.CopyPlannedAsync(chunk, async range =>
        {
            try
            {
                return await copier.CopyRangeFastAsync(session, range.Lower, range.Upper, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException error) when (PgErrors.IsRetryable(error))
            {
                throw new RetryableDatabaseException(error.MessageText, error.SqlState, error);
            }
        }).ConfigureAwait(false);
    }
}
