using ShadowCopy.Core.Schema;

namespace ShadowCopy.Core.Model;

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

    /// <summary>Copy sessions working at once (<c>--threads</c>); 1 copies chunk after chunk on the main session.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Copy rate limit in rows per second; null for none.</summary>
    public int? MaxRowsPerSecond { get; init; }

    /// <summary>While this file exists, copying pauses (changes keep being applied).</summary>
    public string? ThrottleFlagFile { get; init; }

    /// <summary>While this file exists, the run keeps the shadow in sync and waits before cut-over.</summary>
    public string? PostponeCutOverFlagFile { get; init; }

    public TimeSpan CutOverLockTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public int CutOverAttempts { get; init; } = 6;

    public bool DropOldTable { get; init; }

    /// <summary>Keep the old table in step after the swap (reverse capture, ADR 0031) until <c>revert</c> or <c>finish</c>.</summary>
    public bool Revertible { get; init; }

    /// <summary>Re-point foreign keys of other tables that reference this one (PostgreSQL: NOT VALID, then VALIDATE; MySQL: inside the cut-over lock, ADR 0026).</summary>
    public bool RepointForeignKeys { get; init; }

    /// <summary>MySQL: run although other tables reference this one; their keys stay on the old table (with --via, the table's own too).</summary>
    public bool AllowForeignKeys { get; init; }

    /// <summary>How many times a mismatching chunk is re-copied and re-checked before the run fails.</summary>
    public int VerifyAttempts { get; init; } = 3;

    /// <summary>How often rows changed after the copy's verification are verified again while catching up or postponed (ADR 0019).</summary>
    public TimeSpan DeltaVerifyInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Changed rows compared per delta-verification round.</summary>
    public int DeltaVerifyBatch { get; init; } = 5_000;

    /// <summary>Time the cut-over may spend inside its lock verifying the last changed rows; more rows than fit: release, verify, retry.</summary>
    public TimeSpan CutOverVerifyBudget { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Changed rows remembered for delta verification; beyond that every chunk is verified again.</summary>
    public int MaxUnverifiedRows { get; init; } = 500_000;

    /// <summary>Changes applied per batch (each batch is one transaction).</summary>
    public int ApplyBatchSize { get; init; } = 2000;

    /// <summary>Cut-over is attempted only when the change backlog is at most this many rows.</summary>
    public long CutOverMaxBacklog { get; init; } = 2000;

    /// <summary>Dry run: copy sample chunks for at most this long to measure the copy rate.</summary>
    public TimeSpan DryRunSampleTime { get; init; } = TimeSpan.FromSeconds(3);

    public TimeSpan StatusInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long cleanup may take after Ctrl+C or a failure before we give up on it.</summary>
    public TimeSpan CleanupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    // ---- Run control (issue #6; docs/user-guide.md#run-control) ----

    /// <summary>Throttle while any watched replica lags more than this; null for no lag check.</summary>
    public TimeSpan? MaxLag { get; init; }

    /// <summary>
    /// Application-latency budget of the key-read probe (ADR 0033): copy, verification and backfill are
    /// paced while its median is above it. Null: the default, max(3 × the baseline measured before the copy, 5 ms).
    /// </summary>
    public TimeSpan? MaxAppLatency { get; init; }

    /// <summary><c>--max-app-latency off</c>: no key-read probe and no latency pacing.</summary>
    public bool AppLatencyOff { get; init; }

    /// <summary>Replica DSNs to watch for lag (repeatable --replica); empty: what the primary reports.</summary>
    public IReadOnlyList<string> ReplicaDsns { get; init; } = [];

    /// <summary>Throttle while any of these server metrics is above its limit.</summary>
    public IReadOnlyList<LoadThreshold> MaxLoad { get; init; } = [];

    /// <summary>Abort (and clean up) when any of these is above its limit, after <see cref="CriticalLoadGrace"/>.</summary>
    public IReadOnlyList<LoadThreshold> CriticalLoad { get; init; } = [];

    /// <summary>A critical-load breach must still hold after this long before the run aborts (zero: at once).</summary>
    public TimeSpan CriticalLoadGrace { get; init; }

    /// <summary>A query run every throttle check; a non-zero first column throttles.</summary>
    public string? ThrottleQuery { get; init; }

    /// <summary>When this file appears, the run aborts and cleans up (before the swap).</summary>
    public string? PanicFlagFile { get; init; }

    /// <summary>Start with the cut-over postponed until an operator says <c>ctl unpostpone</c>.</summary>
    public bool PostponeCutOver { get; init; }

    /// <summary>How often server-side throttle inputs (load, lag, query) are read; flag files are checked every tick.</summary>
    public TimeSpan ThrottleCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Continue a crashed or killed run from its checkpoint instead of starting over.</summary>
    public bool Resume { get; init; }

    /// <summary>How often the checkpoint is written during copy, catch-up and postponement.</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the on-status hook runs.</summary>
    public TimeSpan HookStatusInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the runner waits before running a failed on-before-cut-over hook again.</summary>
    public TimeSpan HookRetryInterval { get; init; } = TimeSpan.FromSeconds(10);
}
