namespace ShadowCopy.Core.Engine;

/// <summary>One immutable status line: what a progress bar, a plain log line or a JSON line shows.</summary>
public sealed record StatusSnapshot(
    Phase Phase,
    long RowsCopied,
    long RowsEstimated,
    double RowsPerSecond,
    TimeSpan? Eta,
    long ChangeBacklog,
    long ChangesApplied,
    int ChunkSize,
    string? ThrottleReason,
    TimeSpan Elapsed)
{
    public double Percent => RowsEstimated <= 0 ? 0 : Math.Min(100.0, 100.0 * RowsCopied / RowsEstimated);
}
