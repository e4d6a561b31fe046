using System.Diagnostics;
using System.Globalization;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.Throttling;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Throttling;

/// <summary>
/// The throttle inputs of a MySQL/MariaDB run, each read on a connection of its own (never the
/// copy's, so a slow probe cannot hold a chunk transaction open), opened lazily, kept open between
/// checks and reopened after an error. Replica lag comes from the <c>--replica</c> DSNs only: the
/// primary cannot tell reliably how far its replicas are (SHOW SLAVE HOSTS lists them without lag).
/// </summary>
internal sealed class MySqlServerProbe : IAsyncDisposable
{
    /// <summary>The throttle query's server-side limit; the client cancels (KILL QUERY) a little later as a backstop.</summary>
    internal static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan ProbeConnectTimeout = TimeSpan.FromSeconds(3);

    private readonly MySqlSettings _settings;
    private readonly string _heartbeatTable;
    private readonly List<MySqlSettings> _replicas;
    private readonly Dictionary<string, MySqlSession> _replicaSessions = new(StringComparer.Ordinal);
    private readonly SqlTranscript _transcript = new();
    private MySqlSession? _session;

    /// <param name="heartbeatTable">Qualified name of the run's <c>_t_log</c> (heartbeat row id 1).</param>
    public MySqlServerProbe(MySqlSettings settings, string heartbeatTable, IReadOnlyList<MySqlSettings> replicas)
    {
        _settings = Bounded(settings);
        _heartbeatTable = heartbeatTable;
        _replicas = replicas.Select(Bounded).ToList();
    }

    /// <summary>Parses the <c>--replica</c> DSNs with the main DSN's rules (password from the environment or ~/.my.cnf, never the DSN).</summary>
    public static IReadOnlyList<MySqlSettings> ParseReplicas(IReadOnlyList<string> dsns) => dsns.Select(d => MySqlDsn.Parse(d)).ToList();

    public async Task<IReadOnlyDictionary<string, double>> ReadLoadAsync(IReadOnlyCollection<string> metrics, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var result = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        if (metrics.Count == 0)
        {
            return result;
        }

        foreach (var name in metrics.Where(n => n.Length == 0 || !n.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')))
        {
            throw new ArgumentException($"'{name}' is not a global status variable name (letters, digits and _ only)", nameof(metrics));
        }

        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await GuardAsync(() => session.QueryAsync($"SHOW GLOBAL STATUS WHERE Variable_name IN ({string.Join(", ", metrics.Select(session.Literal))})", cancellationToken)).ConfigureAwait(false);
        var found = rows.Rows.ToDictionary(r => r.GetString(0), r => r.IsNull(1) ? string.Empty : r.GetString(1), StringComparer.OrdinalIgnoreCase);
        foreach (var name in metrics)
        {
            if (!found.TryGetValue(name, out var text))
            {
                throw new ArgumentException($"'{name}' is not a global status variable of this server (see SHOW GLOBAL STATUS; e.g. Threads_running, Threads_connected)", nameof(metrics));
            }

            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new ArgumentException($"global status variable {name} is not numeric ('{text}')", nameof(metrics));
            }

            result[name] = value;
        }

        return result;
    }

    /// <summary>
    /// Runs the user's query bounded on the server (MariaDB: SET STATEMENT max_statement_time … FOR;
    /// MySQL: the MAX_EXECUTION_TIME optimizer hint, SELECT only) and on the client (the connection's
    /// cancellation sends KILL QUERY), so a hanging throttle query throttles instead of stalling the run.
    /// </summary>
    public async Task<double?> RunThrottleQueryAsync(string sql, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        var bounded = Bound(sql, session.IsMariaDb, QueryTimeout);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(QueryTimeout + TimeSpan.FromSeconds(1));
        MySqlResultSet rows;
        try
        {
            rows = await GuardAsync(() => session.QueryAsync(bounded, timeout.Token)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await DropSessionAsync().ConfigureAwait(false);
            throw new TimeoutException($"the throttle query ran longer than {QueryTimeout.TotalSeconds:0} s");
        }

        if (rows.Rows.Count == 0 || rows.Columns.Count == 0 || rows.Rows[0].IsNull(0))
        {
            return null;
        }

        var text = rows.Rows[0].GetString(0);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"the throttle query's first column is not a number ('{text}')");
    }

    internal static string Bound(string sql, bool isMariaDb, TimeSpan limit)
    {
        var trimmed = sql.Trim().TrimEnd(';');
        if (isMariaDb)
        {
            return string.Create(CultureInfo.InvariantCulture, $"SET STATEMENT max_statement_time = {limit.TotalSeconds:0.###} FOR {trimmed}");
        }

        // The hint applies to SELECT only (MySQL manual 10.9.3, "Optimizer Hints"); anything else relies on the client-side cancel.
        return trimmed.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && trimmed.Length > 6 && char.IsWhiteSpace(trimmed[6])
            ? string.Create(CultureInfo.InvariantCulture, $"SELECT /*+ MAX_EXECUTION_TIME({(long)limit.TotalMilliseconds}) */{trimmed[6..]}")
            : trimmed;
    }

    /// <summary>
    /// Lag of each <c>--replica</c>. Preferred source: the run's own heartbeat row (written here on
    /// the primary, then read on the replica: lag = time written − newest beat the replica holds),
    /// which measures what the replica has applied, even through intermediate replicas. Fallback when
    /// the replica does not have the row (filtered, not yet replicated): SHOW REPLICA/SLAVE STATUS
    /// Seconds_Behind_Master; NULL there (SQL thread stopped) is unreadable and the gate throttles.
    /// </summary>
    public async Task<IReadOnlyList<ReplicaLag>> ReadReplicaLagAsync(CancellationToken cancellationToken)
    {
        if (_replicas.Count == 0)
        {
            return [];
        }

        string? written = null;
        var sinceWrite = Stopwatch.StartNew();
        try
        {
            var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
            written = await GuardAsync(() => session.ScalarStringAsync("SELECT UTC_TIMESTAMP(6)", cancellationToken)).ConfigureAwait(false);
            await GuardAsync(() => session.ExecuteAsync(
                $"INSERT INTO {_heartbeatTable} (id, beat, note) VALUES (1, {session.Literal(written!)}, 'heartbeat') ON DUPLICATE KEY UPDATE beat = VALUES(beat)",
                cancellationToken)).ConfigureAwait(false);
            sinceWrite.Restart();
        }
        catch (MySqlException)
        {
            // No heartbeat table (or no write privilege): the replicas' own status still tells.
            written = null;
        }

        var lags = new List<ReplicaLag>();
        foreach (var replica in _replicas)
        {
            var label = MySqlDsn.Describe(replica);
            try
            {
                var session = await ReplicaSessionAsync(label, replica, cancellationToken).ConfigureAwait(false);
                var lag = written is null ? null : await HeartbeatLagAsync(session, written, sinceWrite, cancellationToken).ConfigureAwait(false);
                lag ??= await StatusLagAsync(session, cancellationToken).ConfigureAwait(false);
                lags.Add(new ReplicaLag(label, lag));
            }
            catch (Exception error) when (error is MySqlException or ShadowCopyException or InvalidDataException or FormatException)
            {
                await DropReplicaSessionAsync(label).ConfigureAwait(false);
                lags.Add(new ReplicaLag(label, null, error.Message));
            }
        }

        return lags;
    }

    public async ValueTask DisposeAsync()
    {
        await DropSessionAsync().ConfigureAwait(false);
        foreach (var label in _replicaSessions.Keys.ToList())
        {
            await DropReplicaSessionAsync(label).ConfigureAwait(false);
        }
    }

    private async Task<TimeSpan?> HeartbeatLagAsync(MySqlSession session, string written, Stopwatch sinceWrite, CancellationToken cancellationToken)
    {
        var wrote = DateTime.ParseExact(written, "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        for (var attempt = 0; ; attempt++)
        {
            string? beat;
            try
            {
                beat = await session.ScalarStringAsync($"SELECT beat FROM {_heartbeatTable} WHERE id = 1", cancellationToken).ConfigureAwait(false);
            }
            catch (MySqlServerException error) when (error.ErrorCode == MySqlErrors.NoSuchTable)
            {
                return null;
            }

            if (beat is null)
            {
                return null;
            }

            var seen = DateTime.ParseExact(beat, "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
            if (seen >= wrote)
            {
                // The replica holds the beat written just now: it is at most this far behind.
                return TimeSpan.Zero;
            }

            // A caught-up replica applies the beat within milliseconds; give it a moment (bounded)
            // so healthy replicas do not read as one check interval behind.
            if (attempt >= 5)
            {
                return (wrote - seen) + sinceWrite.Elapsed;
            }

            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<TimeSpan?> StatusLagAsync(MySqlSession session, CancellationToken cancellationToken)
    {
        MySqlResultSet status;
        try
        {
            status = await session.QueryAsync("SHOW REPLICA STATUS", cancellationToken).ConfigureAwait(false);
        }
        catch (MySqlServerException error) when (error.ErrorCode == 1064)
        {
            // MariaDB before 10.5 and MySQL before 8.0.22 know only the old spelling.
            status = await session.QueryAsync("SHOW SLAVE STATUS", cancellationToken).ConfigureAwait(false);
        }

        if (status.Rows.Count == 0)
        {
            throw new InvalidDataException("not a replica (SHOW REPLICA STATUS returned no row)");
        }

        var column = Enumerable.Range(0, status.Columns.Count).FirstOrDefault(
            i => status.Columns[i].Name is "Seconds_Behind_Master" or "Seconds_Behind_Source",
            -1);
        if (column < 0)
        {
            throw new InvalidDataException("SHOW REPLICA STATUS has no Seconds_Behind_Master column");
        }

        // Multi-source replicas: the worst channel counts; NULL (SQL thread not running) is unreadable.
        TimeSpan? worst = TimeSpan.Zero;
        foreach (var row in status.Rows)
        {
            if (row.IsNull(column))
            {
                throw new InvalidDataException("Seconds_Behind_Master is NULL (replication stopped or broken)");
            }

            var seconds = TimeSpan.FromSeconds(row.GetInt64(column));
            worst = seconds > worst ? seconds : worst;
        }

        return worst;
    }

    private async Task<MySqlSession> SessionAsync(CancellationToken cancellationToken)
    {
        if (_session is { IsBroken: false })
        {
            return _session;
        }

        await DropSessionAsync().ConfigureAwait(false);
        _session = await MySqlSession.OpenAsync(_settings, _transcript, cancellationToken).ConfigureAwait(false);
        return _session;
    }

    private async Task<MySqlSession> ReplicaSessionAsync(string label, MySqlSettings settings, CancellationToken cancellationToken)
    {
        if (_replicaSessions.TryGetValue(label, out var session) && !session.IsBroken)
        {
            return session;
        }

        await DropReplicaSessionAsync(label).ConfigureAwait(false);
        session = await MySqlSession.OpenAsync(settings, _transcript, cancellationToken).ConfigureAwait(false);
        _replicaSessions[label] = session;
        return session;
    }

    /// <summary>An error other than the server's own leaves the connection in an unknown state: reopen next time.</summary>
    private async Task<T> GuardAsync<T>(Func<Task<T>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception error) when (error is not MySqlServerException)
        {
            await DropSessionAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task DropSessionAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync().ConfigureAwait(false);
            _session = null;
        }
    }

    private async Task DropReplicaSessionAsync(string label)
    {
        if (_replicaSessions.Remove(label, out var session))
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static MySqlSettings Bounded(MySqlSettings settings) => settings with
    {
        ConnectTimeout = ProbeConnectTimeout,
        CommandTimeout = QueryTimeout + TimeSpan.FromSeconds(3),
    };
}
