namespace ShadowCopy.Core.Backfill;

/// <summary>What the checkpoint holds: batches committed, key positions covered, rows updated, whether the last batch was done.</summary>
public sealed record BackfillProgress(long Batches, long Scanned, long Updated, bool Done)
{
    public static readonly BackfillProgress None = new(0, 0, 0, false);
}
