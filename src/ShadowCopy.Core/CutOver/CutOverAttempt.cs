using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.CutOver;

/// <summary>
/// Outcome of one cut-over attempt. A lock timeout leaves the original table serving. An attempt
/// that found more changed rows to verify than its lock allows (<see cref="NeedsVerification"/>),
/// or rows that differ (<see cref="Verified"/> with mismatches), released the lock without swapping.
/// </summary>
public sealed record CutOverAttempt(bool Succeeded, bool LockTimedOut, long LockWaitMs, string? Error)
{
    public bool NeedsVerification { get; init; }

    /// <summary>The keys compared inside the lock and the result; null when none were.</summary>
    public (IReadOnlyList<RowKey> Keys, KeyVerifyResult Compared)? Verified { get; init; }

    public static CutOverAttempt TooManyToVerify(long lockWaitMs, int count, int budget) =>
        new(false, false, lockWaitMs, $"{count} changed rows to verify, the lock budget allows {budget}") { NeedsVerification = true };
}
