namespace ShadowCopy.Core.Copy;

/// <summary>One chunk's key range as the provider renders its bounds; null is open (before the first key, after the last).</summary>
public sealed record ChunkRange(string[]? Lower, string[]? Upper);

/// <summary>What a checkpoint may record as copied: the chunks, the cursor after them and whether that is every chunk.</summary>
public sealed record CommittedChunks(IReadOnlyList<ChunkRange> Chunks, string[]? Cursor, bool Done);

/// <summary>
/// The chunk ledger of a run, the same for every engine: the list of chunks (by id, in key order),
/// the copy cursor (upper bound of the last chunk whose copy committed in order), the plan cursor
/// of <c>--threads</c>, and which prefix of chunks a checkpoint may claim. The sequential copy
/// appends a chunk once its copy committed (<see cref="Copied"/>); the parallel copy plans chunks
/// ahead (<see cref="TryStartPlan"/>, <see cref="Planned"/>) and reports them copied in any order
/// (<see cref="MarkCopied"/>); the copy cursor then advances only over the contiguous prefix of
/// completed chunks, so a chunk finished above a gap is copied again after a resume. Thread-safe:
/// with MySQL's binlog capture the main session plans while workers read and complete chunks.
/// </summary>
public sealed class ChunkLedger
{
    private readonly Lock _gate = new();
    private readonly List<ChunkRange> _chunks = [];
    private readonly HashSet<int> _completed = [];
    private string[]? _copyCursor;
    private bool _copyDone;
    private string[]? _planCursor;
    private bool _planDone;
    private int _contiguous = -1;

    /// <summary>The chunks recorded so far (copied, or planned with <c>--threads</c>).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _chunks.Count;
            }
        }
    }

    public ChunkRange this[int id]
    {
        get
        {
            lock (_gate)
            {
                return _chunks[id];
            }
        }
    }

    /// <summary>The upper bound of the last chunk copied in order; null before the first (and after the last, see <see cref="CopyDone"/>).</summary>
    public string[]? CopyCursor
    {
        get
        {
            lock (_gate)
            {
                return _copyCursor;
            }
        }
    }

    /// <summary>Every key has been copied (the last, open-ended chunk committed, and with --threads every chunk before it).</summary>
    public bool CopyDone
    {
        get
        {
            lock (_gate)
            {
                return _copyDone;
            }
        }
    }

    /// <summary>True once the parallel copy planned its first chunk of this run.</summary>
    public bool ParallelStarted
    {
        get
        {
            lock (_gate)
            {
                return _contiguous >= 0;
            }
        }
    }

    /// <summary>Sequential copy: the chunk after the copy cursor has committed (or, alter --via, was recorded for verification).</summary>
    public void Copied(string[]? lower, string[]? upper)
    {
        lock (_gate)
        {
            _chunks.Add(new ChunkRange(lower, upper));
            _copyCursor = upper;
            _copyDone = upper is null;
        }
    }

    /// <summary>
    /// Parallel copy: whether another chunk is left to plan, and its lower bound. The first call of a
    /// run continues where the sequential copy (or a resumed checkpoint) left off.
    /// </summary>
    public bool TryStartPlan(out string[]? lower)
    {
        lock (_gate)
        {
            lower = null;
            if (_planDone || _copyDone)
            {
                return false;
            }

            if (_contiguous < 0)
            {
                _contiguous = _chunks.Count;
                _planCursor = _copyCursor;
            }

            lower = _planCursor;
            return true;
        }
    }

    /// <summary>Parallel copy: records the planned chunk after the plan cursor; an open upper bound makes it the last.</summary>
    public PlannedChunk Planned(string[]? lower, string[]? upper)
    {
        lock (_gate)
        {
            _chunks.Add(new ChunkRange(lower, upper));
            _planCursor = upper;
            _planDone = upper is null;
            return new PlannedChunk(_chunks.Count - 1, _planDone);
        }
    }

    /// <summary>Parallel copy: a planned chunk's copy committed; the copy cursor advances over the chunks that now form a contiguous prefix.</summary>
    public void MarkCopied(int id)
    {
        lock (_gate)
        {
            if (_contiguous < 0)
            {
                throw new InvalidOperationException("MarkCopied needs a planned chunk first");
            }

            _completed.Add(id);
            while (_completed.Remove(_contiguous))
            {
                _copyCursor = _chunks[_contiguous].Upper;
                _copyDone = _planDone && _contiguous == _chunks.Count - 1;
                _contiguous++;
            }
        }
    }

    /// <summary>Parallel copy: copies a planned chunk's range with <paramref name="copy"/> (rows copied), then marks it copied.</summary>
    public async Task<ChunkResult> CopyPlannedAsync(PlannedChunk chunk, Func<ChunkRange, Task<long>> copy)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        ArgumentNullException.ThrowIfNull(copy);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var rows = await copy(this[chunk.Id]).ConfigureAwait(false);
        MarkCopied(chunk.Id);
        return new ChunkResult(rows, chunk.Last, watch.Elapsed);
    }

    /// <summary>
    /// What a checkpoint may claim, read under one lock so a worker finishing meanwhile cannot make
    /// the list, the cursor and the flag disagree: every chunk when copying sequentially, only the
    /// contiguous prefix of completed chunks once the parallel copy started.
    /// </summary>
    public CommittedChunks Committed()
    {
        lock (_gate)
        {
            if (_contiguous < 0)
            {
                return new CommittedChunks([.. _chunks], _copyCursor, _copyDone);
            }

            var count = _contiguous;
            return new CommittedChunks(
                [.. _chunks.Take(count)],
                count == 0 ? null : _chunks[count - 1].Upper,
                _planDone && count == _chunks.Count);
        }
    }

    /// <summary>Resume: the chunks a checkpoint recorded as copied, the cursor after them and whether the copy was complete.</summary>
    public void Restore(IEnumerable<ChunkRange> chunks, string[]? copyCursor, bool copyDone)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        lock (_gate)
        {
            _chunks.Clear();
            _chunks.AddRange(chunks);
            _completed.Clear();
            _contiguous = -1;
            _planCursor = null;
            _planDone = false;
            _copyCursor = copyCursor;
            _copyDone = copyDone;
        }
    }

    /// <summary>Resume from a checkpoint that stores only upper bounds: each chunk starts where the one before it ends, the cursor after the last.</summary>
    public void RestoreFromUppers(IEnumerable<string[]?> uppers, bool copyDone)
    {
        ArgumentNullException.ThrowIfNull(uppers);
        var chunks = new List<ChunkRange>();
        string[]? lower = null;
        foreach (var upper in uppers)
        {
            chunks.Add(new ChunkRange(lower, upper));
            lower = upper;
        }

        Restore(chunks, lower, copyDone);
    }
}
