namespace ShadowCopy.Core.Model;

/// <summary>Base of the failures the runner maps to an exit code; the message is for the user.</summary>
public class ShadowCopyException : Exception
{
    public ShadowCopyException(string message, int exitCode, Exception? inner = null)
        : base(message, inner)
    {
        ExitCode = exitCode;
    }

    public int ExitCode { get; }
}
