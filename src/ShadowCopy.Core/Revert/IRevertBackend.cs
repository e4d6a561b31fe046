namespace ShadowCopy.Core.Revert;

/// <summary>
/// <c>shadowcopy revert</c> and <c>finish</c> for one engine (ADR 0031). Everything is read from the
/// reverse-capture state table and the catalog, so it works after the alter's process is gone.
/// Refusals throw <see cref="Engine.ShadowCopyException"/> with a documented exit code and change nothing.
/// </summary>
public interface IRevertBackend : IAsyncDisposable
{
    /// <summary>Reads the state; refuses (exit 22) when the table is not revertible.</summary>
    Task<RevertPlan> InspectAsync(CancellationToken cancellationToken);

    /// <summary>Compares the old table with the new one through the inverse mapping, in one consistent snapshot.</summary>
    Task<RevertCheck> VerifyAsync(CancellationToken cancellationToken);

    /// <summary>One bounded-lock attempt to swap back and remove the reverse capture; false on a lock timeout.</summary>
    Task<bool> TrySwapBackAsync(TimeSpan lockTimeout, CancellationToken cancellationToken);

    /// <summary>One bounded-lock attempt to remove the reverse capture and (unless kept) the old table; false on a lock timeout.</summary>
    Task<bool> TryFinishAsync(bool keepOldTable, TimeSpan lockTimeout, CancellationToken cancellationToken);
}
