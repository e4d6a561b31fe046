namespace ShadowCopy.Core.Backfill;

/// <summary>
/// An engine's checkpoint table for <see cref="BackfillLedger"/>: create it, reset its one row for a fresh
/// run, read that row for --resume. The batch's own checkpoint update stays in the batch's transaction.
/// </summary>
public interface IBackfillCheckpointStore
{
    /// <summary>Creates the checkpoint table if it does not exist.</summary>
    Task CreateAsync(CancellationToken cancellationToken);

    /// <summary>Writes the row of a fresh run: --set, --where, <paramref name="keyColumns"/>, no cursor, zero counters, nothing skipped.</summary>
    Task ResetAsync(string keyColumns, CancellationToken cancellationToken);

    /// <summary>The row, or null when there is none.</summary>
    Task<BackfillCheckpoint?> LoadAsync(CancellationToken cancellationToken);
}
