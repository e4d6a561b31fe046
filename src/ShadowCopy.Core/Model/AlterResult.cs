namespace ShadowCopy.Core.Model;

/// <summary>The final summary of a run; the CLI prints it and maps <see cref="ExitCode"/>.</summary>
public sealed record AlterResult
{
    public required int ExitCode { get; init; }

    /// <summary>"completed", "dry-run", "refused", "failed", "cancelled".</summary>
    public required string Outcome { get; init; }

    public string? Message { get; init; }

    public string? RefusalId { get; init; }

    public long RowsCopied { get; init; }

    public long ChangesApplied { get; init; }

    public int ChunksVerified { get; init; }

    public long RowsVerified { get; init; }

    public int ChunksRecopied { get; init; }

    /// <summary>Rows changed after their chunk was verified and verified again before the swap (ADR 0019).</summary>
    public long RowsVerifiedAfterCopy { get; init; }

    /// <summary>Of those, rows that differed and were put into the shadow again from the original.</summary>
    public long RowsReapplied { get; init; }

    /// <summary>The latency guard's baseline, budget at the end, and total time paced (ADR 0033); baseline null when it did not run.</summary>
    public TimeSpan? AppLatencyBaseline { get; init; }

    public TimeSpan? AppLatencyBudget { get; init; }

    public TimeSpan AppLatencyPaced { get; init; }

    public long CutOverLockWaitMs { get; init; }

    public int CutOverAttempts { get; init; }

    public TimeSpan Duration { get; init; }

    public required string ShadowTable { get; init; }

    public required string OldTable { get; init; }

    /// <summary>True when a completed run dropped <see cref="OldTable"/> (--drop-old-table).</summary>
    public bool OldTableDropped { get; init; }

    public long EstimatedRows { get; init; }

    public double? SampleRowsPerSecond { get; init; }

    public TimeSpan? EstimatedCopyDuration { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];

    public IReadOnlyList<PlannedStatement> Plan { get; init; } = [];
}
