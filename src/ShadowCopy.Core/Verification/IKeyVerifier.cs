namespace ShadowCopy.Core.Verification;

/// <summary>
/// A backend's part of delta verification (docs/adr/0019-delta-verification.md): every key the
/// applier touches after its chunk was verified is compared again, source against shadow, at a
/// consistent point, before it can be swapped in.
/// </summary>
public interface IKeyVerifier
{
    /// <summary>Where the backend reports each key its applier touched, once that apply committed; set by the runner.</summary>
    DirtyKeySet? AppliedKeys { get; set; }

    /// <summary>
    /// Opens a consistent point of its own (no lock where the engine allows it) and compares the rows
    /// of <paramref name="keys"/> over the copied columns, the original's converted as the copy does.
    /// </summary>
    Task<KeyVerifyResult> VerifyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken);

    /// <summary>Puts these keys' rows into the shadow again from the original (delete by key, then the copy's statement).</summary>
    Task RecopyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken);

    /// <summary>A key as a user reads it, e.g. <c>(id)=(42)</c>.</summary>
    string Describe(RowKey key);
}
