namespace ShadowCopy.Core.Backfill;

/// <summary>The verification report: rows in the table, rows still matching --where, rows matching --verify (null: not asked).</summary>
public sealed record BackfillReport(long TotalRows, long? RemainingRows, long? DriftedRows)
{
    public bool Clean => RemainingRows is null or 0 && DriftedRows is null or 0;
}
