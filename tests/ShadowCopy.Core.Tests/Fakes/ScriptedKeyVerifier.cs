using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.Tests.Fakes;

/// <summary>An <see cref="IKeyVerifier"/> whose verdicts the test sets: keys in <see cref="Wrong"/> differ, keys in <see cref="Pending"/> are in flight.</summary>
internal sealed class ScriptedKeyVerifier : IKeyVerifier
{
    public DirtyKeySet? AppliedKeys { get; set; }

    public HashSet<RowKey> Wrong { get; } = [];

    public HashSet<RowKey> Pending { get; } = [];

    public List<RowKey> Reapplied { get; } = [];

    public bool Fail { get; set; }

    public int Rounds { get; private set; }

    /// <summary>How long each round takes (the consistent point included) and what it reports as the comparison's own time.</summary>
    public (TimeSpan Round, TimeSpan? Compare) Timing { get; set; }

    public async Task<KeyVerifyResult> VerifyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        Rounds++;
        if (Timing.Round > TimeSpan.Zero)
        {
            await Task.Delay(Timing.Round, cancellationToken);
        }

        if (Fail)
        {
            throw new InvalidOperationException("scripted failure");
        }

        var pending = keys.Where(Pending.Contains).ToList();
        var wrong = keys.Where(k => Wrong.Contains(k) && !Pending.Contains(k)).ToList();
        return new KeyVerifyResult(keys.Count - pending.Count, pending, wrong) { CompareTime = Timing.Compare };
    }

    public Task RecopyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        Reapplied.AddRange(keys);
        return Task.CompletedTask;
    }

    public string Describe(RowKey key) => $"key {string.Join(",", key.Parts)}";
}
