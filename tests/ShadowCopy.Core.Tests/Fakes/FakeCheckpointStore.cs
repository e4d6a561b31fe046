using ShadowCopy.Core.Backfill;

namespace ShadowCopy.Core.Tests.Fakes;

/// <summary>A checkpoint table in memory: records what was asked and answers <see cref="Stored"/>.</summary>
internal sealed class FakeCheckpointStore : IBackfillCheckpointStore
{
    public BackfillCheckpoint? Stored { get; set; }

    public List<string> Calls { get; } = [];

    public Task CreateAsync(CancellationToken cancellationToken)
    {
        Calls.Add("create");
        return Task.CompletedTask;
    }

    public Task ResetAsync(string keyColumns, CancellationToken cancellationToken)
    {
        Calls.Add("reset " + keyColumns);
        return Task.CompletedTask;
    }

    public Task<BackfillCheckpoint?> LoadAsync(CancellationToken cancellationToken)
    {
        Calls.Add("load");
        return Task.FromResult(Stored);
    }
}
