using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Capture;

namespace ShadowCopy.MySql.Verify;

/// <summary>
/// The delta-verification seam (ADR 0019): the keys the applier touched after their chunk was verified
/// are recorded by the capture and verified again up to the swap by a <see cref="MySqlKeyVerifier"/>,
/// opened on first use.
/// </summary>
internal sealed class MySqlDeltaKeys(MySqlRun run, IMySqlCapture capture, MySqlChecksumSource checksums) : IKeyVerifier
{
    private MySqlKeyVerifier? _verifier;

    public DirtyKeySet? AppliedKeys
    {
        get => run.AppliedKeys;
        set
        {
            run.AppliedKeys = value;
            capture.AppliedKeys = value;
        }
    }

    /// <summary>The verifier (the cut-over compares the last dirty keys under its lock with it).</summary>
    public MySqlKeyVerifier Verifier => _verifier ??= new MySqlKeyVerifier(run, capture, checksums);

    public Task<KeyVerifyResult> VerifyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        run.Transcript.Step = "verify changed rows";
        return Verifier.VerifyAsync(keys, cancellationToken);
    }

    public Task RecopyKeysAsync(IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        run.Transcript.Step = "re-apply changed rows";
        return Verifier.RecopyAsync(keys, cancellationToken);
    }

    public string Describe(RowKey key) => Verifier.Describe(key);

    public ValueTask CloseAsync() => _verifier?.CloseAsync() ?? ValueTask.CompletedTask;
}
