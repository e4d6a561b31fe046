namespace ShadowCopy.Core.Copy;

/// <summary>
/// The bookkeeping both backends need for <c>--threads</c>: one session per worker, opened on
/// first use (and again when one is no longer usable), and the contiguous prefix of completed
/// chunks, which is all a checkpoint may claim. Thread-safe.
/// </summary>
public sealed class CopyWorkers<TSession>(Func<CancellationToken, Task<TSession>> open, Func<TSession, bool> usable)
    where TSession : class, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, TSession> _sessions = [];
    private readonly HashSet<int> _completed = [];
    private int _contiguous = -1;

    /// <summary>Chunks [0, Contiguous) are all completed; -1 before <see cref="StartAt"/>.</summary>
    public int Contiguous
    {
        get
        {
            lock (_gate)
            {
                return _contiguous;
            }
        }
    }

    /// <summary>True once <see cref="StartAt"/> ran (the first plan of this run).</summary>
    public bool Started => Contiguous >= 0;

    /// <summary>Chunks below <paramref name="chunk"/> were copied before the parallel copy began.</summary>
    public void StartAt(int chunk)
    {
        lock (_gate)
        {
            _contiguous = chunk;
        }
    }

    /// <summary>Marks a chunk completed; returns the chunks that now extend the contiguous prefix, in order.</summary>
    public IReadOnlyList<int> Complete(int chunk)
    {
        lock (_gate)
        {
            _completed.Add(chunk);
            var extended = new List<int>();
            while (_completed.Remove(_contiguous))
            {
                extended.Add(_contiguous);
                _contiguous++;
            }

            return extended;
        }
    }

    public async Task<TSession> SessionAsync(int worker, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_sessions.TryGetValue(worker, out var existing) && usable(existing))
            {
                return existing;
            }
        }

        var session = await open(cancellationToken).ConfigureAwait(false);
        TSession? stale;
        lock (_gate)
        {
            _sessions.Remove(worker, out stale);
            _sessions[worker] = session;
        }

        if (stale is not null)
        {
            await stale.DisposeAsync().ConfigureAwait(false);
        }

        return session;
    }

    public async Task CloseAsync()
    {
        List<TSession> sessions;
        lock (_gate)
        {
            sessions = [.. _sessions.Values];
            _sessions.Clear();
        }

        foreach (var session in sessions)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }
}
