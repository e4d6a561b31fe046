using System.Diagnostics;
using Npgsql;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Engine;

namespace ShadowCopy.Postgres;

/// <summary>
/// --threads N (IParallelCopyBackend): chunks are planned on the main session by a keys-only read
/// and copied by worker sessions with the same range statement a re-copy uses. Each worker copies
/// from its own statement's snapshot, so changes are applied only between rounds (ApplyDuringCopy
/// is false, and planning never overlaps copying). The copy cursor — the checkpoint's watermark —
/// advances only over the contiguous prefix of completed chunks.
/// </summary>
public sealed partial class PgAlterBackend : IParallelCopyBackend
{
    private CopyWorkers<PgSession>? _copyWorkers;
    private string[]? _planCursor;
    private bool _planDone;

    public bool ApplyDuringCopy => false;

    /// <summary>
    /// What the checkpoint may claim: the chunks at the start of <see cref="_chunks"/> whose copies
    /// have all committed, the cursor after them and whether that is every chunk. Read from one
    /// count, so a worker finishing meanwhile cannot make cursor and list disagree.
    /// </summary>
    private (int Chunks, string[]? Cursor, bool Done) CommittedCopy()
    {
        if (_copyWorkers is not { Started: true } workers)
        {
            return (_chunks.Count, _copyCursor, _copyDone);
        }

        var count = workers.Contiguous;
        return (count, count == 0 ? null : _chunks[count - 1].Upper, _planDone && count == _chunks.Count);
    }

    private CopyWorkers<PgSession> Workers => _copyWorkers ??= new(OpenAsync, s => s.IsOpen);

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
        var session = await Workers.SessionAsync(worker, cancellationToken).ConfigureAwait(false);
        var range = _chunks[chunk.Id];
        var watch = Stopwatch.StartNew();
        long rows;
        try
        {
            rows = await CopyRangeFastAsync(session, range.Lower, range.Upper, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error) when (PgErrors.IsRetryable(error))
        {
            throw new RetryableDatabaseException(error.MessageText, error.SqlState, error);
        }

        foreach (var done in Workers.Complete(chunk.Id))
        {
            _copyCursor = _chunks[done].Upper;
            _copyDone = _planDone && done == _chunks.Count - 1;
        }

        return new ChunkResult(rows, chunk.Last, watch.Elapsed);
    }

    private Task CloseCopyWorkersAsync() => _copyWorkers?.CloseAsync() ?? Task.CompletedTask;
}
