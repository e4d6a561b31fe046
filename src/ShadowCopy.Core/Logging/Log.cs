using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Logging;

/// <summary>Core's log messages. Event ids 1000–1999. Never pass a password or a connection string.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Phase {From} -> {To}{Detail}")]
    public static partial void PhaseChanged(ILogger logger, Phase from, Phase to, string detail);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Copy finished: {Rows} rows in {Chunks} chunks")]
    public static partial void CopyFinished(ILogger logger, long rows, int chunks);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Chunk failed with a retryable error, retry {Attempt}/{Max} with chunk size {Size}: {Error}")]
    public static partial void ChunkRetry(ILogger logger, int attempt, int max, int size, string error);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Verification round: {Chunks} chunks, {Rows} rows, {Mismatches} mismatching")]
    public static partial void VerifyRound(ILogger logger, int chunks, long rows, int mismatches);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Cut-over attempt {Attempt}/{Max} did not get its lock within {TimeoutMs} ms; original table still serving; retrying in {DelayMs} ms")]
    public static partial void CutOverLockTimeout(ILogger logger, int attempt, int max, long timeoutMs, long delayMs);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Cut-over done on attempt {Attempt}, lock held/waited {LockMs} ms")]
    public static partial void CutOverDone(ILogger logger, int attempt, long lockMs);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "Cleanup after {Reason} failed: {Error}")]
    public static partial void CleanupFailed(ILogger logger, string reason, string error);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Throttled: {Reason}")]
    public static partial void Throttled(ILogger logger, string reason);

    // Information, so only --verbose shows it: the result line already tells the user, and the full
    // exception (with its stack) belongs in the log and the journal, not on the terminal (issue 13).
    [LoggerMessage(EventId = 1008, Level = LogLevel.Information, Message = "Run failed: {Error}")]
    public static partial void RunFailed(ILogger logger, Exception exception, string error);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Checkpoint not written: {Error}")]
    public static partial void CheckpointFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Throttle lifted")]
    public static partial void ThrottleLifted(ILogger logger);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Hook {Hook} failed: {Failure}")]
    public static partial void HookFailed(ILogger logger, string hook, string failure);
}
