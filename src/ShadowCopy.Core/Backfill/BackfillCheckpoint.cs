namespace ShadowCopy.Core.Backfill;

/// <summary>
/// The checkpoint row as an engine read it: the backfill it belongs to (--set, --where, the key columns
/// joined by commas), the cursor (the last committed batch's upper bound, null before the first), the
/// counters, whether the last key range is committed, and the skipped keys as the JSON array of text arrays
/// the row holds (docs/adr/0028-backfill.md).
/// </summary>
public sealed record BackfillCheckpoint(
    string Set,
    string? Where,
    string KeyColumns,
    string[]? Upper,
    long Batches,
    long Scanned,
    long Updated,
    bool Done,
    string Skipped);
