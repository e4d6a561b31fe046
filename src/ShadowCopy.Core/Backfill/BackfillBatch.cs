namespace ShadowCopy.Core.Backfill;

/// <summary>
/// One batch: key positions it covered (<see cref="Scanned"/>, exact except for the open-ended last
/// batch, where it is the rows updated), rows the UPDATE changed, whether the key space is exhausted.
/// </summary>
public sealed record BackfillBatch(long Scanned, long Updated, bool Done, TimeSpan Elapsed);
