namespace ShadowCopy.Load;

/// <summary>One worker's connection: runs one load transaction at a time.</summary>
internal interface ILoadSession : IAsyncDisposable
{
    /// <summary>
    /// Runs one transaction (mirrored into the control table when there is one) and commits it.
    /// Returns false after recording the failure in <paramref name="stats"/>; the session stays usable.
    /// </summary>
    Task<bool> RunOperationAsync(Random random, LoadStats stats);
}
