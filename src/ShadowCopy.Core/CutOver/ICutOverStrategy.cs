using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.CutOver;

/// <summary>The cut-over seam: one engine's bounded attempt to swap the tables (docs/cut-over.md).</summary>
public interface ICutOverStrategy
{
    /// <summary>
    /// One bounded cut-over attempt. A lock timeout must leave the original serving. Inside the lock,
    /// after the final drain, the keys of <paramref name="verification"/> are compared before the swap
    /// (more than its budget: release and report <see cref="CutOverAttempt.NeedsVerification"/>).
    /// </summary>
    Task<CutOverAttempt> TryCutOverAsync(TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken);
}
