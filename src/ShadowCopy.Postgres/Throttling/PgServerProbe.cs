using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Postgres.Throttling;

/// <summary>
/// Server figures for the throttle gate, read on sessions of their own (never the copy's): a probe
/// session on the primary and one per <c>--replica</c>, opened lazily with a short connect timeout
/// and kept open between checks. A session that fails is dropped and re-opened at the next check.
/// The latency guard's key read (ADR 0033) has a session of its own too: the guard reads in the
/// background while the throttle gate uses the probe session, and one Npgsql connection runs one
/// command at a time. A failed read drops the session; the next read opens a new one.
/// </summary>
internal sealed class PgServerProbe(PgRun run) : IServerProbe
{
    private static readonly PgDialect D = PgDialect.Instance;

    /// <summary>The --max-load / --critical-load metric names PostgreSQL understands.</summary>
    public static readonly IReadOnlyList<string> LoadMetrics = ["active_backends", "waiting_backends", "connections"];

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    // Client backends only (walsenders, autovacuum and background workers are not load the
    // application makes), minus this run's own sessions (the probe's query is itself active).
    private const string LoadSql = """
        SELECT count(*) FILTER (WHERE state = 'active' AND NOT pid = ANY($1)),
               count(*) FILTER (WHERE wait_event_type = 'Lock' AND NOT pid = ANY($1)),
               count(*)
        FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend'
        """;

    // 0 when the server is not a standby (nothing to replay) or has replayed all WAL it received (an
    // idle primary writes nothing, so now() - last replay would grow without any lag); NULL (fail
    // closed) when it has WAL to replay but has replayed no transaction since it started.
    private const string ReplicaLagSql = """
        SELECT CASE WHEN NOT pg_catalog.pg_is_in_recovery() THEN 0
                    WHEN pg_catalog.pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_catalog.pg_last_wal_replay_lsn() THEN 0
                    ELSE extract(epoch FROM pg_catalog.now() - pg_catalog.pg_last_xact_replay_timestamp()) END::float8
        """;

    // Physical standbys as the primary sees them. Logical walsenders (ours included) are not
    // replicas: their lag is the apply of a subscriber, not a read replica falling behind.
    // replay_lag is NULL once a standby has caught up and stays idle: no lag.
    private const string PrimaryLagSql = """
        SELECT coalesce(nullif(application_name, ''), 'standby') || '@' || coalesce(client_addr::text, 'local') || ' (pid ' || pid || ')',
               coalesce(extract(epoch FROM replay_lag), 0)::float8
        FROM pg_catalog.pg_stat_replication
        WHERE pid NOT IN (SELECT active_pid FROM pg_catalog.pg_replication_slots WHERE slot_type = 'logical' AND active_pid IS NOT NULL)
        ORDER BY 1
        """;

    private readonly Dictionary<string, PgSession?> _replicas = new(StringComparer.Ordinal);
    private PgSession? _probe;
    private PgSession? _keyRead;

    public async Task<IReadOnlyDictionary<string, double>> ReadLoadAsync(IReadOnlyCollection<string> metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        CheckLoadMetrics(metrics);
        var row = await ProbeAsync(
            async (session, token) => (await session.QueryAsync(LoadSql, [OwnBackends(session)], token).ConfigureAwait(false))[0],
            cancellationToken).ConfigureAwait(false);
        var values = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var metric in metrics)
        {
            var index = LoadMetrics.Select((name, i) => (name, i)).First(m => string.Equals(m.name, metric, StringComparison.OrdinalIgnoreCase)).i;
            values[metric] = Convert.ToDouble(row[index], CultureInfo.InvariantCulture);
        }

        return values;
    }

    public async Task<double?> RunThrottleQueryAsync(string sql, CancellationToken cancellationToken)
    {
        var rows = await ProbeAsync((session, token) => session.QueryAsync(sql, null, token), cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 || rows[0].Length == 0 || rows[0][0] is null
            ? null
            : rows[0][0] is bool flag ? (flag ? 1 : 0) : Convert.ToDouble(rows[0][0], CultureInfo.InvariantCulture);
    }

    public async Task<IReadOnlyList<ReplicaLag>> ReadReplicaLagAsync(CancellationToken cancellationToken)
    {
        if (run.Options.ReplicaDsns.Count == 0)
        {
            var rows = await ProbeAsync((session, token) => session.QueryAsync(PrimaryLagSql, null, token), cancellationToken).ConfigureAwait(false);
            return [.. rows.Select(r => new ReplicaLag((string)r[0]!, TimeSpan.FromSeconds((double)r[1]!)))];
        }

        var lags = new List<ReplicaLag>();
        foreach (var dsn in run.Options.ReplicaDsns)
        {
            lags.Add(await ReadOneReplicaAsync(dsn, cancellationToken).ConfigureAwait(false));
        }

        return lags;
    }

    /// <summary>Refuses --max-load / --critical-load metric names PostgreSQL does not know.</summary>
    internal static void CheckLoadMetrics(IEnumerable<string> metrics)
    {
        var unknown = metrics.Where(m => !LoadMetrics.Contains(m, StringComparer.OrdinalIgnoreCase)).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown PostgreSQL load metric(s) {string.Join(", ", unknown)}; known: {string.Join(", ", LoadMetrics)}.");
        }
    }

    private async Task<ReplicaLag> ReadOneReplicaAsync(string dsn, CancellationToken cancellationToken)
    {
        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = PgDsn.Parse(dsn);
        }
        catch (ShadowCopyException error)
        {
            return new ReplicaLag(dsn, null, error.Message);
        }

        var name = PgDsn.Describe(settings);
        _replicas.TryGetValue(dsn, out var session);
        try
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(ProbeTimeout);
            session ??= await OpenProbeSessionAsync(settings, bounded.Token).ConfigureAwait(false);
            _replicas[dsn] = session;
            var rows = await session.QueryAsync(ReplicaLagSql, null, bounded.Token).ConfigureAwait(false);
            return rows[0][0] is double seconds
                ? new ReplicaLag(name, TimeSpan.FromSeconds(Math.Max(0, seconds)))
                : new ReplicaLag(name, null, "WAL to replay but no transaction replayed since the standby started");
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }

            _replicas[dsn] = null;
            return new ReplicaLag(name, null, error is OperationCanceledException ? $"no answer within {ProbeTimeout.TotalSeconds:0} s" : error.Message);
        }
    }

    private async Task<T> ProbeAsync<T>(Func<PgSession, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        try
        {
            _probe ??= await OpenProbeSessionAsync(run.Settings, cancellationToken).ConfigureAwait(false);
            return await read(_probe, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException && _probe is { IsOpen: false })
        {
            // A broken probe session: drop it, the next check opens a new one (this one throttles).
            await _probe.DisposeAsync().ConfigureAwait(false);
            _probe = null;
            throw;
        }
    }

    private static async Task<PgSession> OpenProbeSessionAsync(NpgsqlConnectionStringBuilder settings, CancellationToken cancellationToken)
    {
        var bounded = new NpgsqlConnectionStringBuilder(settings.ConnectionString)
        {
            Timeout = (int)ProbeTimeout.TotalSeconds,
            ApplicationName = "shadowcopy probe",
        };
        // Not the run's transcript: a probe every second is neither plan nor journal material.
        var session = await PgSession.OpenAsync(bounded, new SqlTranscript { Enabled = false }, cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync($"SET statement_timeout = '{(long)ProbeTimeout.TotalMilliseconds}ms'", null, cancellationToken).ConfigureAwait(false);
        return session;
    }

    private int[] OwnBackends(PgSession probe) =>
        [.. run.Sessions.Concat([probe, _keyRead]).Where(s => s is { IsOpen: true }).Select(s => s!.BackendPid)];

    public async Task<TimeSpan> ProbeKeyReadAsync(IReadOnlyList<string> keyColumns, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyColumns);
        var sql = AppLatencyGuard.KeyReadSql(D.Qualified(run.Table), keyColumns.Select(D.QuoteIdentifier));
        try
        {
            _keyRead ??= await OpenProbeSessionAsync(run.Settings, cancellationToken).ConfigureAwait(false);
            var watch = Stopwatch.StartNew();
            await _keyRead.QueryAsync(sql, null, cancellationToken).ConfigureAwait(false);
            return watch.Elapsed;
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            await CloseKeyReadAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task CloseKeyReadAsync()
    {
        if (_keyRead is not null)
        {
            await _keyRead.DisposeAsync().ConfigureAwait(false);
            _keyRead = null;
        }
    }

    public async Task CloseAsync()
    {
        await CloseKeyReadAsync().ConfigureAwait(false);
        if (_probe is not null)
        {
            await _probe.DisposeAsync().ConfigureAwait(false);
            _probe = null;
        }

        foreach (var session in _replicas.Values.Where(s => s is not null))
        {
            await session!.DisposeAsync().ConfigureAwait(false);
        }

        _replicas.Clear();
    }
}
