using System.Globalization;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql.Capture;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Copy;

/// <summary>
/// --threads N (IParallelCopyBackend): chunk boundaries are planned on the main session (the same
/// keys-only read as the sequential copy) and each range is copied by a worker session with the
/// same INSERT IGNORE … SELECT. In binlog mode it is a locking read: it waits for writers of its
/// rows and makes them wait for it, so a change to a row and the copy of that row are ordered by
/// the server and the applier may run while workers copy (ApplyDuringCopy). In trigger mode it
/// reads without locks and the runner applies between rounds of chunks (ADR 0020). The copy cursor — the
/// checkpoint's watermark — advances only over the contiguous prefix of completed chunks.
/// </summary>
internal sealed class MySqlParallelCopy(MySqlRun run, IMySqlCapture capture, MySqlChunkCopier copier) : IParallelCopyBackend
{
    private CopyWorkers<MySqlSession>? _copyWorkers;

    /// <summary>Binlog mode: the workers' locking reads order them with the writers. Trigger mode copies without locks, so it applies between rounds (ADR 0020).</summary>
    public bool ApplyDuringCopy => !capture.CopiesWithoutLocks;

    private CopyWorkers<MySqlSession> Workers => _copyWorkers ??= new(OpenWorkerAsync, _ => true);

    /// <summary>A worker session; in trigger mode it copies without locks, which needs READ COMMITTED (ADR 0020).</summary>
    private async Task<MySqlSession> OpenWorkerAsync(CancellationToken cancellationToken)
    {
        var session = await run.OpenAsync(cancellationToken).ConfigureAwait(false);
        await capture.PrepareCopyWorkerAsync(session, cancellationToken).ConfigureAwait(false);
        return session;
    }

    public async Task<PlannedChunk?> PlanChunkAsync(int chunkSize, CancellationToken cancellationToken)
    {
        if (!run.Ledger.TryStartPlan(out var lower))
        {
            return null;
        }

        run.Transcript.Step = "copy (plan)";
        var upper = await copier.NextBoundaryAsync(lower, chunkSize, cancellationToken).ConfigureAwait(false);
        return run.Ledger.Planned(lower, upper);
    }

    public async Task<ChunkResult> CopyPlannedChunkAsync(PlannedChunk chunk, int worker, CancellationToken cancellationToken)
    {
        var session = await Workers.SessionAsync(worker, cancellationToken).ConfigureAwait(false);
        return await run.Ledger.CopyPlannedAsync(chunk, async range =>
        {
            try
            {
                return await copier.CopyRangeAsync(range.Lower, range.Upper, inTransaction: false, session, cancellationToken).ConfigureAwait(false);
            }
            catch (MySqlServerException error) when (MySqlErrors.IsRetryable(error))
            {
                await session.ResetQuietlyAsync().ConfigureAwait(false);
                throw new RetryableDatabaseException(error.Message, error.ErrorCode.ToString(CultureInfo.InvariantCulture), error);
            }
        }).ConfigureAwait(false);
    }

    public Task CloseAsync() => _copyWorkers?.CloseAsync() ?? Task.CompletedTask;
}
