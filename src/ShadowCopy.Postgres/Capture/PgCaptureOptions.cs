namespace ShadowCopy.Postgres.Capture;

/// <summary>How PostgreSQL changes are captured: "trigger" or "logical" (pgoutput slot).</summary>
public sealed record PgCaptureOptions
{
    public string Mode { get; init; } = "trigger";

    /// <summary>Abort cleanly when the slot retains more WAL than this (so it can never fill the disk).</summary>
    public long MaxSlotRetainedWalBytes { get; init; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Accept a table whose replica identity is FULL (every update logs the whole old row).</summary>
    public bool AllowReplicaIdentityFull { get; init; }

    /// <summary>Longest wait for CREATE_REPLICATION_SLOT, which waits for open transactions.</summary>
    public TimeSpan SlotCreationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest wait for the stream to reach a fence while writes are locked out.</summary>
    public TimeSpan FenceTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Longest wait for the stream to catch up before a locked step (no lock held meanwhile).</summary>
    public TimeSpan CatchUpFenceTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Longest wait for an autovacuum on the table to end before a lock request, when it cannot be
    /// cancelled (ADR 0029); then the lock is requested anyway, bounded by its lock_timeout.
    /// </summary>
    public TimeSpan AutovacuumWait { get; init; } = TimeSpan.FromSeconds(60);

    public bool IsLogical => Mode == "logical";
}
