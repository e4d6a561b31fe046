using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli;

/// <summary>
/// The last line of defence for a failure no command turned into a result: one sentence and the
/// exit code on stderr, never the stack trace (issue 13), unless SHADOWCOPY_TRACE=1 asks for it.
/// </summary>
internal static class UnhandledFailure
{
    public const string TraceVariable = "SHADOWCOPY_TRACE";

    public static int Report(Exception failure, TextWriter error)
    {
        var redactor = SecretRedactor.FromEnvironment();
        var exitCode = failure is ShadowCopyException known ? known.ExitCode : ExitCodes.InternalError;
        var message = failure is ShadowCopyException
            ? failure.Message
            : $"{failure.Message.Trim().TrimEnd('.')} (unexpected {failure.GetType().Name}; set {TraceVariable}=1 to print the stack trace)";
        error.WriteLine(redactor.Redact($"error: {message}"));
        if (Environment.GetEnvironmentVariable(TraceVariable) == "1")
        {
            error.WriteLine(redactor.Redact(failure.ToString()));
        }

        error.WriteLine($"exit code {exitCode}");
        return exitCode;
    }
}
