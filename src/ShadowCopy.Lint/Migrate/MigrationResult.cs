namespace ShadowCopy.Lint.Migrate;

/// <summary>How a migration ended: the plan (every statement with its method), what was done and not done, and the refusals.</summary>
public sealed record MigrationResult
{
    public required int ExitCode { get; init; }

    /// <summary>dry-run, completed, refused, paused, failed, cancelled, aborted.</summary>
    public required string Outcome { get; init; }

    public string? Message { get; init; }

    public IReadOnlyList<MigrationStep> Steps { get; init; } = [];

    /// <summary>One sentence per lint error or statement migrate will not run; nothing was changed.</summary>
    public IReadOnlyList<string> Refusals { get; init; } = [];

    /// <summary>Numbers of the statements done (in earlier runs of this migration too).</summary>
    public IReadOnlyList<int> Done { get; init; } = [];

    /// <summary>Numbers of the statements not done yet (the failed one first).</summary>
    public IReadOnlyList<int> NotDone { get; init; } = [];

    /// <summary>The statement that failed, with its runner's exit code; null otherwise.</summary>
    public int? FailedStatement { get; init; }

    public int? StepExitCode { get; init; }

    public TimeSpan Duration { get; init; }
}
