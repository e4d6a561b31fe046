namespace ShadowCopy.Core.CutOver;

/// <summary>Outcome of one cut-over attempt. A lock timeout leaves the original table serving.</summary>
public sealed record CutOverAttempt(bool Succeeded, bool LockTimedOut, long LockWaitMs, string? Error);
