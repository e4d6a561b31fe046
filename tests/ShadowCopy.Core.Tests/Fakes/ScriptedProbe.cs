using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Tests.Fakes;

/// <summary>An <see cref="IServerProbe"/> whose figures (or failures) a test sets.</summary>
internal sealed class ScriptedProbe : IServerProbe
{
    public Func<IReadOnlyDictionary<string, double>> Load { get; set; } = () => new Dictionary<string, double>();

    public Func<IReadOnlyList<ReplicaLag>> Lags { get; set; } = () => [];

    public Task<IReadOnlyDictionary<string, double>> ReadLoadAsync(IReadOnlyCollection<string> metrics, CancellationToken cancellationToken) => Task.FromResult(Load());

    public Task<double?> RunThrottleQueryAsync(string sql, CancellationToken cancellationToken) => Task.FromResult<double?>(null);

    public Task<IReadOnlyList<ReplicaLag>> ReadReplicaLagAsync(CancellationToken cancellationToken) => Task.FromResult(Lags());
}
