namespace ShadowCopy.Core.Backfill;

/// <summary>
/// What one key-range batch did: key positions covered, rows updated, its upper bound (null: it was the
/// last key range) and the keys it skipped because another transaction held their row.
/// </summary>
public sealed record BackfillRange(long Scanned, long Updated, string[]? Upper, IReadOnlyList<string[]> Skipped);
