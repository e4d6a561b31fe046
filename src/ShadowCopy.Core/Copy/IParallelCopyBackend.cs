namespace ShadowCopy.Core.Copy;

/// <summary>
/// A backend that can copy with several sessions at once (<c>--threads N</c>). The runner plans
/// chunks one after another on the main session (a keys-only read that finds the next boundary)
/// and hands each to a free worker, which copies that key range on its own session while the
/// others copy theirs and the main session applies captured changes. The backend's checkpoint
/// watermark may only cover the contiguous prefix of completed chunks: a chunk finished out of
/// order above a gap is copied again after a resume, which the conflict-tolerant copy allows.
/// </summary>
public interface IParallelCopyBackend
{
    /// <summary>
    /// Whether captured changes may be applied while chunks are being copied. True only when a copy
    /// and a change to a row it copies are serialized by the server (MySQL's locking reads). When
    /// false (PostgreSQL: the copy reads a snapshot, so a change applied before a concurrent copy
    /// commits could be overwritten by the older row), the runner copies in rounds of up to N
    /// chunks and applies between rounds.
    /// </summary>
    bool ApplyDuringCopy { get; }

    /// <summary>
    /// Plans the next chunk of about <paramref name="chunkSize"/> rows after the previous one,
    /// copying nothing; null once every key is planned. The last chunk is open-ended (it also
    /// covers keys inserted above the end since the copy began).
    /// </summary>
    Task<PlannedChunk?> PlanChunkAsync(int chunkSize, CancellationToken cancellationToken);

    /// <summary>
    /// Copies a planned chunk on worker session <paramref name="worker"/> (0 ≤ worker &lt; threads),
    /// concurrently with other workers and with the main session. May be retried after a
    /// <see cref="Engine.RetryableDatabaseException"/>; copying a chunk twice leaves it as once.
    /// </summary>
    Task<ChunkResult> CopyPlannedChunkAsync(PlannedChunk chunk, int worker, CancellationToken cancellationToken);
}

/// <summary>A chunk planned by <see cref="IParallelCopyBackend.PlanChunkAsync"/>; the backend keeps its bounds by <see cref="Id"/>.</summary>
public sealed record PlannedChunk(int Id, bool Last);
