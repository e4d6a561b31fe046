using Microsoft.Extensions.Logging;

namespace ShadowCopy.Postgres;

/// <summary>Source-generated log methods of the PostgreSQL provider (event ids 4000–4999). Passwords are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Capture ({Mode}) started")]
    public static partial void CaptureStarted(ILogger logger, string mode);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Resumed from the checkpoint: {Chunks} chunks already copied, capture ({Mode}) continues")]
    public static partial void Resumed(ILogger logger, int chunks, string mode);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "Cut-over attempt failed: {Error}")]
    public static partial void CutOverFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Connection lost during the cut-over's COMMIT; the outcome was read back from the catalog: swapped={Swapped}")]
    public static partial void AmbiguousCommitResolved(ILogger logger, bool swapped);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Information, Message = "Swapped {Table} with its shadow; the lock was held {HeldMs} ms")]
    public static partial void Swapped(ILogger logger, ShadowCopy.Core.Schema.TableName table, long heldMs);
}
