namespace ShadowCopy.Core.State;

/// <summary>
/// A backend that can persist a checkpoint and continue from it after a crash or kill
/// (<c>shadowcopy alter … --resume</c>). The checkpoint lives in a helper state table on the server
/// (one row per run, marked like every helper object, removed by cleanup), so it survives the
/// process and travels with the data it describes.
/// </summary>
public interface IResumableBackend
{
    /// <summary>
    /// Writes the checkpoint: <paramref name="progress"/>, the ALTER and a fingerprint of the
    /// original table's schema, the copy watermark (the last key whose chunk is committed in the
    /// shadow) and the capture position (MySQL binlog file/pos or GTID of the last applied
    /// transaction; PostgreSQL trigger log / slot: the queue itself). It must never claim more than
    /// is committed in the shadow: a resume may repeat work, never skip it. Creates the state table
    /// on first use. Called by the runner between steps (never concurrently with copy or apply).
    /// </summary>
    Task SaveCheckpointAsync(RunProgress progress, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces CreateShadow + StartCapture when resuming: loads the checkpoint, checks that the
    /// ALTER and the original table's schema are unchanged and the capture position still exists,
    /// re-attaches capture from that position and positions the copy after the watermark. Throws
    /// <see cref="Engine.PreflightRefusedException"/> with <see cref="Engine.RefusalReason.ResumeNotPossible"/>
    /// and a message saying what changed and what to do (usually: `shadowcopy cleanup`, then run
    /// again without --resume) — and then changes nothing.
    /// A checkpoint whose phase is <see cref="Engine.Phase.CleaningUp"/> means the killed run's swap is
    /// done (written right after it, or atomically with it): then the backend re-attaches nothing,
    /// returns that phase, and the runner only calls <see cref="Engine.IAlterBackend.AfterCutOverAsync"/>,
    /// which must then finish the cleanup from the catalog alone and drop the checkpoint last.
    /// </summary>
    Task<RunProgress> ResumeAsync(CancellationToken cancellationToken);
}
