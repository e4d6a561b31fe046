using ShadowCopy.Core.Schema;

namespace ShadowCopy.Core.Engine;

/// <summary>Everything a run was asked to do. Immutable: built once by the CLI, read by the engine.</summary>
public sealed record AlterOptions
{
    public required TableName Table { get; init; }

    /// <summary>The clauses that follow <c>ALTER TABLE name</c>.</summary>
    public required string Alter { get; init; }

    /// <summary>False means a dry run: nothing on the live table is touched.</summary>
    public bool Execute { get; init; }

    public TimeSpan ChunkTime { get; init; } = TimeSpan.FromMilliseconds(500);

    public int InitialChunkSize { get; init; } = 1000;

    public int MinChunkSize { get; init; } = 10;

    public int MaxChunkSize { get; init; } = 200_000;

    /// <summary>Copy rate limit in rows per second; null for none.</summary>
    public int? MaxRowsPerSecond { get; init; }

    /// <summary>While this file exists, copying pauses (changes keep being applied).</summary>
    public string? ThrottleFlagFile { get; init; }

    /// <summary>While this file exists, the run keeps the shadow in sync and waits before cut-over.</summary>
    public string? PostponeCutOverFlagFile { get; init; }

    public TimeSpan CutOverLockTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public int CutOverAttempts { get; init; } = 6;

    public bool DropOldTable { get; init; }

    /// <summary>Re-point foreign keys of other tables that reference this one (NOT VALID, then VALIDATE).</summary>
    public bool RepointForeignKeys { get; init; }

    /// <summary>MySQL: run although the table takes part in foreign keys (they are not re-pointed).</summary>
    public bool AllowForeignKeys { get; init; }

    /// <summary>How many times a mismatching chunk is re-copied and re-checked before the run fails.</summary>
    public int VerifyAttempts { get; init; } = 3;

    /// <summary>Changes applied per batch (each batch is one transaction).</summary>
    public int ApplyBatchSize { get; init; } = 2000;

    /// <summary>Cut-over is attempted only when the change backlog is at most this many rows.</summary>
    public long CutOverMaxBacklog { get; init; } = 2000;

    /// <summary>Dry run: copy sample chunks for at most this long to measure the copy rate.</summary>
    public TimeSpan DryRunSampleTime { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long cleanup may take after Ctrl+C or a failure before we give up on it.</summary>
    public TimeSpan CleanupTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
