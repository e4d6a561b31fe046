using Microsoft.Extensions.Logging;

namespace ShadowCopy.MySql;

/// <summary>Source-generated log methods of the MySQL provider (event ids 3000–3999).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Rehearsed the ALTER on a temporary table: {Copied} columns copied, {Dropped} dropped, {Added} added")]
    public static partial void Rehearsed(ILogger logger, int copied, int dropped, int added);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Capture ({Mode}) started")]
    public static partial void CaptureStarted(ILogger logger, CaptureMode mode);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Cut-over attempt failed: {Error}")]
    public static partial void CutOverFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Connection lost during RENAME; the outcome was read back from the catalog: swapped={Swapped}")]
    public static partial void AmbiguousRenameResolved(ILogger logger, bool swapped);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Binlog capture from {Position}")]
    public static partial void BinlogStart(ILogger logger, ShadowCopy.MySql.Protocol.Binlog.BinlogPosition position);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Binlog reader stopped: {Reason}")]
    public static partial void BinlogReaderFailed(ILogger logger, Exception error, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Resumed from the checkpoint: {Chunks} chunks already copied, binlog from {Position}")]
    public static partial void Resumed(ILogger logger, int chunks, object position);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Starting {Tool}: {Command}")]
    public static partial void ToolStarting(ILogger logger, string tool, string command);

    [LoggerMessage(EventId = 3009, Level = LogLevel.Warning, Message = "Verification compares changed columns by their text: the server refused the conversion functions ({Error}); a changed representation may read as a difference")]
    public static partial void ConversionsUnavailable(ILogger logger, string error);
}
