using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Backfill;

/// <summary>How a backfill ended, with its figures; the CLI maps it to output and the exit code.</summary>
public sealed record BackfillResult
{
    public required int ExitCode { get; init; }

    /// <summary>completed, incomplete (report not clean), dry-run, refused, cancelled, aborted, failed.</summary>
    public required string Outcome { get; init; }

    public string? Message { get; init; }

    public string? RefusalId { get; init; }

    public IReadOnlyList<string> KeyColumns { get; init; } = [];

    /// <summary>Batches committed (in total, with the ones a resumed run found in its checkpoint).</summary>
    public long Batches { get; init; }

    /// <summary>Batches this process committed (a resume does not redo the checkpoint's).</summary>
    public long BatchesThisRun { get; init; }

    public long RowsProcessed { get; init; }

    public long RowsUpdated { get; init; }

    public long EstimatedRows { get; init; }

    public BackfillReport? Report { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>The latency guard's baseline, budget at the end, and total time paced (ADR 0033); baseline null when it did not run.</summary>
    public TimeSpan? AppLatencyBaseline { get; init; }

    public TimeSpan? AppLatencyBudget { get; init; }

    public TimeSpan AppLatencyPaced { get; init; }

    // ---- dry run ----

    public int BatchSize { get; init; }

    public long EstimatedBatches { get; init; }

    public double? SampleRowsPerSecond { get; init; }

    public TimeSpan? EstimatedDuration { get; init; }

    public IReadOnlyList<PlannedStatement> Plan { get; init; } = [];
}
