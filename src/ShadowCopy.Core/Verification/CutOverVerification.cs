namespace ShadowCopy.Core.Verification;

/// <summary>
/// What a cut-over attempt must verify inside its lock, after the final drain and before the swap:
/// every key still dirty (those of the final drain included), but only as many as the lock budget
/// allows. More than that and the attempt releases the lock without swapping; the runner verifies
/// them in the open and tries again.
/// </summary>
public sealed class CutOverVerification
{
    private readonly DirtyKeySet? _dirty;

    public CutOverVerification(DirtyKeySet? dirty, int budget)
    {
        _dirty = dirty;
        Budget = budget;
    }

    /// <summary>Nothing to verify (a backend without delta verification, or a dry run).</summary>
    public static CutOverVerification None { get; } = new(null, int.MaxValue);

    public int Budget { get; }

    /// <summary>Keys still to verify right now.</summary>
    public int Pending => _dirty?.Count ?? 0;

    /// <summary>The keys to compare now, or null when there are more than <see cref="Budget"/> (or the set overflowed).</summary>
    public IReadOnlyList<RowKey>? KeysWithinBudget()
    {
        if (_dirty is null)
        {
            return [];
        }

        if (_dirty.Overflowed || _dirty.Count > Budget)
        {
            return null;
        }

        return _dirty.Peek();
    }
}
