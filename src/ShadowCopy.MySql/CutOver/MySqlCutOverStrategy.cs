using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Verification;

namespace ShadowCopy.MySql.CutOver;

/// <summary>The cut-over seam: one bounded attempt of <see cref="MySqlCutOver"/> (docs/cut-over.md).</summary>
internal sealed class MySqlCutOverStrategy(MySqlRun run, MySqlAlterBackend backend) : ICutOverStrategy
{
    public Task<CutOverAttempt> TryCutOverAsync(TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken)
    {
        // The journal labels each statement with its step (the drain used to show up as "verify").
        run.Transcript.Step = "cut-over";
        return MySqlCutOver.TryAsync(backend, lockTimeout, verification, cancellationToken);
    }
}
