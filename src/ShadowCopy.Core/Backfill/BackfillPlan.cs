namespace ShadowCopy.Core.Backfill;

/// <summary>What preflight found: the key the batches follow and the table's size estimate.</summary>
public sealed record BackfillPlan(IReadOnlyList<string> KeyColumns, string KeyIndex, long EstimatedRows);
