namespace ShadowCopy.Core.Capture;

/// <summary>
/// The capture seam: the changes the application makes while the run copies (triggers, the binlog,
/// logical replication), applied to the shadow in bounded batches. Resuming from a recorded position
/// is part of <see cref="State.IResumableBackend"/>; draining to a consistent point happens inside the
/// verification and cut-over steps, under their own locks.
/// </summary>
public interface IChangeSource
{
    /// <summary>Starts change capture on the live table (triggers, slot…).</summary>
    Task StartCaptureAsync(CancellationToken cancellationToken);

    /// <summary>Applies up to <paramref name="maxChanges"/> captured changes; returns how many were applied.</summary>
    Task<long> ApplyChangesAsync(int maxChanges, CancellationToken cancellationToken);

    /// <summary>Captured changes not yet applied (may be an estimate).</summary>
    Task<long> GetBacklogAsync(CancellationToken cancellationToken);
}
