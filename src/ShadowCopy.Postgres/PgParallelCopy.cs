using System.Diagnostics;
using Npgsql;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Engine;

namespace ShadowCopy.Postgres;

/// <summary>
/// --threads N (IParallelCopyBackend): chunks are planned on the main session by a keys-only read
/// and copied by worker sessions with the same range statement a re-copy uses. Each worker copies
/// from its own statement's snapshot, so changes are applied only between rounds (ApplyDuringCopy
/// is false). The copy cursor — the checkpoint's watermark — advances only over the contiguous
/// prefix of completed chunks.
/// </summary>
public sealed partial class PgAlterBackend : IParallelCopyBackend
{
    private readonly List<PgSession?> _copyWorkers = [];
    private readonly HashSet<int> _chunksCompleted = [];
    private string[]? _planCursor;
    private bool _planStarted;
    private bool _planDone;
    private int _contiguousChunks;

    public bool ApplyDuringCopy => false;

    public async Task<PlannedChunk?> PlanChunkAsync(int chunkSize, CancellationToken cancellationToken)
    {
        if (_planDone || _copyDone)
        {
            return null;
        }

        if (!_planStarted)
        {
            // Continue where the sequential copy (or a resumed checkpoint) left off.
            _planStarted = true;
            _planCursor = _copyCursor;
            _contiguousChunks = _chunks.Count;
        }

        _transcript.Step = "copy (plan)";
        var lower = _planCursor;
        var args = new List<object?>();
        if (lower is not null)
        {
            args.AddRange(lower);
        }

        args.Add((long)Math.Max(0, chunkSize - 1));
        var rows = await Main.QueryAsync(Sql.NextBoundary(lower is not null), args, cancellationToken).ConfigureAwait(false);

        // No key chunkSize rows on: this is the last chunk, open-ended like the sequential copy's.
        var upper = rows.Count == 0 ? null : rows[0].Select(v => (string)v!).ToArray();
        _chunks.Add(new Chunk(lower, upper));
        _planCursor = upper;
        _planDone = upper is null;
        return new PlannedChunk(_chunks.Count - 1, _planDone);
    }

    public async Task<ChunkResult> CopyPlannedChunkAsync(PlannedChunk chunk, int worker, CancellationToken cancellationToken)
    {
        var session = await CopyWorkerAsync(worker, cancellationToken).ConfigureAwait(false);
        var range = _chunks[chunk.Id];
        var watch = Stopwatch.StartNew();
        long rows;
        try
        {
            rows = await CopyRangeAsync(session, range.Lower, range.Upper, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error) when (PgErrors.IsRetryable(error))
        {
            throw new RetryableDatabaseException(error.MessageText, error.SqlState, error);
        }

        lock (_chunksCompleted)
        {
            _chunksCompleted.Add(chunk.Id);
            while (_chunksCompleted.Contains(_contiguousChunks))
            {
                _copyCursor = _chunks[_contiguousChunks].Upper;
                _contiguousChunks++;
            }

            _copyDone = _planDone && _contiguousChunks == _chunks.Count;
        }

        return new ChunkResult(rows, chunk.Last, watch.Elapsed);
    }

    private async Task<PgSession> CopyWorkerAsync(int worker, CancellationToken cancellationToken)
    {
        lock (_copyWorkers)
        {
            while (_copyWorkers.Count <= worker)
            {
                _copyWorkers.Add(null);
            }

            if (_copyWorkers[worker] is { IsOpen: true } open)
            {
                return open;
            }
        }

        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        lock (_copyWorkers)
        {
            _copyWorkers[worker] = session;
        }

        return session;
    }

    private async Task CloseCopyWorkersAsync()
    {
        List<PgSession> sessions;
        lock (_copyWorkers)
        {
            sessions = [.. _copyWorkers.OfType<PgSession>()];
            _copyWorkers.Clear();
        }

        foreach (var session in sessions)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }
}
