namespace ShadowCopy.Core.Model;

/// <summary>What preflight learned; all of it read-only.</summary>
public sealed record PreflightReport(
    long EstimatedRows,
    long TableBytes,
    IReadOnlyList<string> KeyColumns,
    IReadOnlyList<string> CopiedColumns,
    IReadOnlyList<string> DroppedColumns,
    IReadOnlyList<string> AddedColumns,
    IReadOnlyList<string> Warnings);
