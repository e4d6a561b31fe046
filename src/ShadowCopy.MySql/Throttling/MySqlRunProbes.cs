using ShadowCopy.Core.Throttling;

namespace ShadowCopy.MySql.Throttling;

/// <summary>
/// The run's throttle figures (<see cref="IServerProbe"/>), read on connections of their own
/// (<see cref="MySqlServerProbe"/>, <see cref="MySqlKeyReadProbe"/>), opened when first asked.
/// </summary>
internal sealed class MySqlRunProbes(MySqlRun run) : IServerProbe, IAsyncDisposable
{
    private MySqlServerProbe? _probe;
    private MySqlKeyReadProbe? _keyRead;

    private MySqlServerProbe Probe => _probe ??= new MySqlServerProbe(run.Settings, MySqlStatements.Q(run.Table.Schema, run.Names.ChangeLog), run.Replicas ?? MySqlServerProbe.ParseReplicas(run.Options.ReplicaDsns));

    public Task<IReadOnlyDictionary<string, double>> ReadLoadAsync(IReadOnlyCollection<string> metrics, CancellationToken cancellationToken) =>
        Probe.ReadLoadAsync(metrics, cancellationToken);

    public Task<double?> RunThrottleQueryAsync(string sql, CancellationToken cancellationToken) =>
        Probe.RunThrottleQueryAsync(sql, cancellationToken);

    /// <summary>The <c>--replica</c> DSNs only; without them an empty list (MySQL cannot read its replicas' lag from the primary reliably).</summary>
    public Task<IReadOnlyList<ReplicaLag>> ReadReplicaLagAsync(CancellationToken cancellationToken) =>
        Probe.ReadReplicaLagAsync(cancellationToken);

    public Task<TimeSpan> ProbeKeyReadAsync(IReadOnlyList<string> keyColumns, CancellationToken cancellationToken) =>
        (_keyRead ??= new MySqlKeyReadProbe(run.Settings, run.Table)).ReadAsync(keyColumns, cancellationToken);

    /// <summary>Closes the server probe's session (cleanup); the key-read probe stays until disposal.</summary>
    public async Task CloseProbeAsync()
    {
        if (_probe is not null)
        {
            await _probe.DisposeAsync().ConfigureAwait(false);
            _probe = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_probe is not null)
        {
            await _probe.DisposeAsync().ConfigureAwait(false);
        }

        if (_keyRead is not null)
        {
            await _keyRead.DisposeAsync().ConfigureAwait(false);
        }
    }
}
