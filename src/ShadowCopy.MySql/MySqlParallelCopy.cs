using System.Diagnostics;
using System.Globalization;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Engine;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// --threads N (IParallelCopyBackend): chunk boundaries are planned on the main session (the same
/// keys-only read as the sequential copy) and each range is copied by a worker session with the
/// same INSERT IGNORE … SELECT. In binlog mode it is a locking read: it waits for writers of its
/// rows and makes them wait for it, so a change to a row and the copy of that row are ordered by
/// the server and the applier may run while workers copy (ApplyDuringCopy). In trigger mode it
/// reads without locks and the runner applies between rounds of chunks (ADR 0020). The copy cursor — the
/// checkpoint's watermark — advances only over the contiguous prefix of completed chunks.
/// </summary>
public sealed partial class MySqlAlterBackend : IParallelCopyBackend
{
    private readonly Lock _chunkGate = new();
    private CopyWorkers<MySqlSession>? _copyWorkers;
    private string[]? _planCursor;
    private bool _planDone;

    /// <summary>Binlog mode: the workers' locking reads order them with the writers. Trigger mode copies without locks, so it applies between rounds (ADR 0020).</summary>
    public bool ApplyDuringCopy => _triggers is null;

    /// <summary>The upper bounds of the contiguous prefix of committed chunks, and whether that is every chunk (read under one lock).</summary>
    private (List<string[]?> Uppers, bool Done) CommittedCopy()
    {
        lock (_chunkGate)
        {
            var count = _copyWorkers is { Started: true } workers ? workers.Contiguous : _chunks.Count;
            var done = _copyWorkers is { Started: true } ? _planDone && count == _chunks.Count : _copyDone;
            return ([.. _chunks.Take(count).Select(c => c.Upper)], done);
        }
    }

    private CopyWorkers<MySqlSession> Workers => _copyWorkers ??= new(OpenWorkerAsync, _ => true);

    /// <summary>A worker session; in trigger mode it copies without locks, which needs READ COMMITTED (ADR 0020).</summary>
    private async Task<MySqlSession> OpenWorkerAsync(CancellationToken cancellationToken)
    {
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_triggers is not null)
        {
            await session.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", cancellationToken).ConfigureAwait(false);
            await MySqlPreflight.CheckTriggerCaptureAsync(session, cancellationToken).ConfigureAwait(false);
        }

        return session;
    }

    public async Task<PlannedChunk?> PlanChunkAsync(int chunkSize, CancellationToken cancellationToken)
    {
        if (_planDone || _copyDone)
        {
            return null;
        }

        if (!Workers.Started)
        {
            // Continue where the sequential copy (or a resumed checkpoint) left off.
            Workers.StartAt(_chunks.Count);
            _planCursor = _copyCursor;
        }

        _transcript.Step = "copy (plan)";
        var lower = _planCursor;
        var boundary = await Main.QueryAsync(Sql.NextBoundary(lower, Math.Max(0, chunkSize - 1)), cancellationToken).ConfigureAwait(false);
        var upper = boundary.Rows.Count == 0 ? null : Enumerable.Range(0, Sql.KeyCount).Select(i => MySqlLiteral.FromText(boundary.Columns[i], boundary.Rows[0], i)).ToArray();
        int id;
        lock (_chunkGate)
        {
            // Workers read _chunks while this appends (apply and planning overlap copying here).
            _chunks.Add(new Chunk(lower, upper));
            id = _chunks.Count - 1;
        }

        _planCursor = upper;
        _planDone = upper is null;
        return new PlannedChunk(id, _planDone);
    }

    public async Task<ChunkResult> CopyPlannedChunkAsync(PlannedChunk chunk, int worker, CancellationToken cancellationToken)
    {
        var session = await Workers.SessionAsync(worker, cancellationToken).ConfigureAwait(false);
        Chunk range;
        lock (_chunkGate)
        {
            range = _chunks[chunk.Id];
        }

        var watch = Stopwatch.StartNew();
        long rows;
        try
        {
            rows = await CopyRangeAsync(range.Lower, range.Upper, inTransaction: false, session, cancellationToken).ConfigureAwait(false);
        }
        catch (MySqlServerException error) when (MySqlErrors.IsRetryable(error))
        {
            await session.ResetQuietlyAsync().ConfigureAwait(false);
            throw new RetryableDatabaseException(error.Message, error.ErrorCode.ToString(CultureInfo.InvariantCulture), error);
        }

        lock (_chunkGate)
        {
            foreach (var done in Workers.Complete(chunk.Id))
            {
                _copyCursor = _chunks[done].Upper;
                _copyDone = _planDone && done == _chunks.Count - 1;
            }
        }

        return new ChunkResult(rows, chunk.Last, watch.Elapsed);
    }

    private Task CloseCopyWorkersAsync() => _copyWorkers?.CloseAsync() ?? Task.CompletedTask;
}
