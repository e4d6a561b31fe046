namespace ShadowCopy.Core.Model;

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
    /// <summary>Capture-specific lag, e.g. "slot retains 12.0 MB of WAL"; null when there is none.</summary>
    public string? CaptureDetail { get; init; }

    /// <summary>Rows in the last chunk copied (0 before the first).</summary>
    public long LastChunkRows { get; init; }

    /// <summary>Rows changed after the copy's verification and verified again since (ADR 0019).</summary>
    public long RowsVerifiedAfterCopy { get; init; }

    /// <summary>Rows changed since they were last verified; the cut-over verifies them before the swap.</summary>
    public long RowsUnverified { get; init; }

    /// <summary>Median of the latest key reads of the latency guard (ADR 0033); null when it does not run.</summary>
    public TimeSpan? AppLatency { get; init; }

    /// <summary>The latency budget in force; null when the guard does not run.</summary>
    public TimeSpan? AppLatencyBudget { get; init; }

    /// <summary>Total time copy, verification or batches were paced for latency so far.</summary>
    public TimeSpan AppLatencyPaced { get; init; }

    /// <summary>"app latency 7.1 ms / budget 6 ms, pacing"; null when the guard does not run.</summary>
    public string? AppLatencyDetail { get; init; }

    public double Percent => RowsEstimated <= 0 ? 0 : Math.Min(100.0, 100.0 * RowsCopied / RowsEstimated);
}
