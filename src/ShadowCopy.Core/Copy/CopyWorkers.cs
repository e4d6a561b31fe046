namespace ShadowCopy.Core.Copy;

/// <summary>
/// The sessions both backends need for <c>--threads</c>: one per worker, opened on first use (and
/// again when one is no longer usable). Which chunks are done is the <see cref="ChunkLedger"/>'s. Thread-safe.
/// </summary>
public sealed class CopyWorkers<TSession>(Func<CancellationToken, Task<TSession>> open, Func<TSession, bool> usable)
    where TSession : class, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, TSession> _sessions = [];

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
