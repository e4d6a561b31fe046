using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Throttling;

/// <summary>
/// Reads the server figures that throttle a run. Implemented by each backend on a session of its
/// own (never the copy's), so a slow probe cannot hold a copy transaction open. Every method is
/// bounded by the caller's token; an error propagates and the caller fails closed (throttles).
/// </summary>
public interface IServerProbe
{
    /// <summary>Current values of the named metrics (MySQL: SHOW GLOBAL STATUS; PostgreSQL: active_backends…). Unknown names throw ArgumentException.</summary>
    Task<IReadOnlyDictionary<string, double>> ReadLoadAsync(IReadOnlyCollection<string> metrics, CancellationToken cancellationToken);

    /// <summary>Runs the user's throttle query; its first column of the first row (null when no row or NULL).</summary>
    Task<double?> RunThrottleQueryAsync(string sql, CancellationToken cancellationToken);

    /// <summary>
    /// Lag of every replica we watch: the <c>--replica</c> DSNs when given, else what the primary
    /// reports (MySQL: none without replica DSNs; PostgreSQL: pg_stat_replication.replay_lag). A
    /// replica that cannot be read is returned with <see cref="ReplicaLag.Lag"/> null and an error.
    /// </summary>
    Task<IReadOnlyList<ReplicaLag>> ReadReplicaLagAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Times one primary-key read of the run's table — its first row in <paramref name="keyColumns"/>
    /// order, a single index descent like the application's point reads — on a session of its own
    /// that nothing else uses (the latency guard calls it from a background task; ADR 0033). The time
    /// is the statement's round trip only, not the connect. Backends that cannot: NotSupportedException.
    /// </summary>
    Task<TimeSpan> ProbeKeyReadAsync(IReadOnlyList<string> keyColumns, CancellationToken cancellationToken) =>
        throw new NotSupportedException("this backend cannot time a key read");
}

/// <summary>One replica's lag; <see cref="Lag"/> is null when it could not be read (<see cref="Error"/> says why).</summary>
public sealed record ReplicaLag(string Replica, TimeSpan? Lag, string? Error = null);
