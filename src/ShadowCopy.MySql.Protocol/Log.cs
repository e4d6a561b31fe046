using Microsoft.Extensions.Logging;

namespace ShadowCopy.MySql.Protocol;

/// <summary>Every log message of the wire client (event ids 2000–2999; Core has 1000–1999, the MySQL provider 3000–3999, the PostgreSQL provider 4000–4999). Passwords are never logged.</summary>
internal static partial class Log
{
    [LoggerMessage(2000, LogLevel.Debug, "Connected to {ServerVersion} as connection {ConnectionId} over {Transport}")]
    public static partial void Connected(ILogger logger, string serverVersion, uint connectionId, string transport);

    [LoggerMessage(2001, LogLevel.Debug, "Server requested authentication switch to {Plugin}")]
    public static partial void AuthSwitch(ILogger logger, string plugin);

    [LoggerMessage(2002, LogLevel.Information, "TLS not offered by the server; continuing without TLS (ssl mode Preferred)")]
    public static partial void TlsFallback(ILogger logger);

    [LoggerMessage(2010, LogLevel.Information, "Binlog stream starting at {Position}")]
    public static partial void BinlogStarting(ILogger logger, Binlog.BinlogPosition position);

    [LoggerMessage(2011, LogLevel.Warning, "Binlog stream failed at {Position}; reconnecting (attempt {Attempt})")]
    public static partial void BinlogReconnecting(ILogger logger, Binlog.BinlogPosition position, int attempt, Exception exception);

    [LoggerMessage(2012, LogLevel.Debug, "Skipping binlog event type {EventType} at {Position}")]
    public static partial void BinlogSkippedEvent(ILogger logger, int eventType, Binlog.BinlogPosition position);
}
