namespace ShadowCopy.Core.Model;

/// <summary>A preflight refusal: raised before anything on the server was changed.</summary>
public sealed class PreflightRefusedException : ShadowCopyException
{
    public PreflightRefusedException(RefusalReason reason, string message, Exception? inner = null)
        : base(message, reason.ExitCode(), inner)
    {
        Reason = reason;
    }

    public RefusalReason Reason { get; }
}
