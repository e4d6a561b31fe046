using Microsoft.Extensions.Logging;

namespace ShadowCopy.MySql.Protocol;

/// <summary>Every log message of the wire client (event ids 3000-3099). Passwords are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(3000, LogLevel.Debug, "Connected to {ServerVersion} as connection {ConnectionId} over {Transport}")]
    public static partial void Connected(ILogger logger, string serverVersion, uint connectionId, string transport);

    [LoggerMessage(3001, LogLevel.Debug, "Server requested authentication switch to {Plugin}")]
    public static partial void AuthSwitch(ILogger logger, string plugin);

    [LoggerMessage(3002, LogLevel.Information, "TLS not offered by the server; continuing without TLS (ssl mode Preferred)")]
    public static partial void TlsFallback(ILogger logger);

    [LoggerMessage(3010, LogLevel.Information, "Binlog stream starting at {Position}")]
    public static partial void BinlogStarting(ILogger logger, Binlog.BinlogPosition position);

    [LoggerMessage(3011, LogLevel.Warning, "Binlog stream failed at {Position}; reconnecting (attempt {Attempt})")]
    public static partial void BinlogReconnecting(ILogger logger, Binlog.BinlogPosition position, int attempt, Exception exception);

    [LoggerMessage(3012, LogLevel.Debug, "Skipping binlog event type {EventType} at {Position}")]
    public static partial void BinlogSkippedEvent(ILogger logger, int eventType, Binlog.BinlogPosition position);
}
