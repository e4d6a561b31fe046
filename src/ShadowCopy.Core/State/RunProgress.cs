using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.State;

/// <summary>
/// The engine-neutral part of a checkpoint: phase and counters. The backend stores it in its state
/// table next to its own copy watermark and capture position (see <see cref="IResumableBackend"/>).
/// </summary>
public sealed record RunProgress
{
    public required Phase Phase { get; init; }

    public long RowsCopied { get; init; }

    public long ChangesApplied { get; init; }

    public int ChunksCopied { get; init; }

    /// <summary>Every chunk is copied and <see cref="IAlterBackend.FinishCopyAsync"/> has completed.</summary>
    public bool CopyDone { get; init; }

    public long RowsEstimated { get; init; }
}
