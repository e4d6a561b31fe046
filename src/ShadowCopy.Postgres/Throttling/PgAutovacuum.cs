using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace ShadowCopy.Postgres.Throttling;

/// <summary>
/// Keeps application writers from queueing behind an autovacuum (ADR 0029). An autovacuum worker holds
/// SHARE UPDATE EXCLUSIVE on the table; every lock a run requests on it (the capture trigger, the
/// publication, the verification's SHARE lock, the cut-over's ACCESS EXCLUSIVE) conflicts with that, and
/// while our request waits, every writer queues behind it. The server only cancels the autovacuum once
/// our request has waited <c>deadlock_timeout</c> (1 s by default), and never one that prevents
/// wraparound. So before each such request: cancel a non-wraparound autovacuum on the table where the
/// server lets us (superuser on PostgreSQL 15–17; <c>pg_signal_autovacuum_worker</c> from 18), otherwise
/// wait for it to end, at most <see cref="PgCaptureOptions.AutovacuumWait"/>; after that the lock is
/// requested as before (bounded by its lock_timeout).
/// </summary>
internal sealed class PgAutovacuum(TimeSpan maxWait)
{
    /// <summary>
    /// Holders of SHARE UPDATE EXCLUSIVE on the tables: autovacuum, or a VACUUM, ANALYZE or CREATE INDEX
    /// CONCURRENTLY. pg_locks is visible to every role; the backend type and query only to privileged ones
    /// (others see NULL), so an unprivileged run cannot tell an autovacuum apart, and waits for any of them.
    /// No session of the run holds that lock at the moments this is asked.
    /// </summary>
    private const string WorkersSql = """
        SELECT DISTINCT l.pid, coalesce(a.backend_type, ''), coalesce(a.query, '')
        FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'relation' AND l.relation::int8 = ANY($1) AND l.granted
          AND l.mode = 'ShareUpdateExclusiveLock' AND l.pid <> pg_catalog.pg_backend_pid()
        """;

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private bool _mayCancel = true;
    private TimeSpan _waited;

    public int Cancelled { get; private set; }

    /// <summary>Lock requests made while an autovacuum still held the table after the wait.</summary>
    public int GaveUp { get; private set; }

    /// <summary>For the status line; null while nothing happened.</summary>
    public string? Detail => Cancelled == 0 && _waited == TimeSpan.Zero && GaveUp == 0
        ? null
        : string.Create(CultureInfo.InvariantCulture, $"autovacuum: {Cancelled} cancelled, waited {_waited.TotalSeconds:0.0} s{(GaveUp > 0 ? $", {GaveUp} lock request(s) made while it ran" : string.Empty)}");

    /// <summary>Returns once no autovacuum worker holds a lock on any of the tables, or after the bounded wait.</summary>
    public async Task ClearAsync(PgSession session, uint[] tables, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            for (var pass = 0; ; pass++)
            {
                var workers = await session.QueryAsync(WorkersSql, [tables.Select(t => (long)t).ToArray()], cancellationToken).ConfigureAwait(false);
                if (workers.Count == 0)
                {
                    return;
                }

                foreach (var worker in workers)
                {
                    // Only an autovacuum is ours to cancel, never one that prevents wraparound (the server
                    // would start it again at once, and does not cancel it for anyone either).
                    var autovacuum = (string)worker[1]! == "autovacuum worker";
                    var wraparound = ((string)worker[2]!).Contains("to prevent wraparound", StringComparison.Ordinal);
                    if (_mayCancel && autovacuum && !wraparound)
                    {
                        await CancelAsync(session, (int)worker[0]!, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (watch.Elapsed >= maxWait)
                {
                    GaveUp++;
                    return;
                }

                await Task.Delay(Poll, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            // A cancelled worker is gone within a poll or two; only real waiting shows in the status.
            if (watch.Elapsed > Poll * 3)
            {
                _waited += watch.Elapsed;
            }
        }
    }

    private async Task CancelAsync(PgSession session, int pid, CancellationToken cancellationToken)
    {
        try
        {
            if (await session.ScalarAsync<bool>("SELECT pg_catalog.pg_cancel_backend($1)", [pid], cancellationToken).ConfigureAwait(false))
            {
                Cancelled++;
            }
        }
        catch (PostgresException error) when (error.SqlState == "42501")
        {
            // Not ours to cancel (PostgreSQL 15–17 allow it to superusers only): wait instead.
            _mayCancel = false;
        }
    }
}
