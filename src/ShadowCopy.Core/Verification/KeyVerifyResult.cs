namespace ShadowCopy.Core.Verification;

/// <summary>
/// The outcome of comparing a batch of keys at one consistent point. <see cref="Checked"/> keys were
/// compared; <see cref="Mismatched"/> of them differ (or exist on one side only); <see cref="Pending"/>
/// could not be judged at this point (a change to them was still in flight) and stay dirty.
/// </summary>
public sealed record KeyVerifyResult(int Checked, IReadOnlyList<RowKey> Pending, IReadOnlyList<RowKey> Mismatched)
{
    /// <summary>
    /// The time the comparison itself took, without opening the consistent point: what the same keys
    /// would cost inside the cut-over's lock, where the point is already there. Null: not measured.
    /// </summary>
    public TimeSpan? CompareTime { get; init; }

    public static KeyVerifyResult Empty { get; } = new(0, [], []);
}
