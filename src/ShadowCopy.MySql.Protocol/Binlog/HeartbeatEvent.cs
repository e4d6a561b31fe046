using System.Text;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>HEARTBEAT_LOG_EVENT: sent by the server when idle for the heartbeat period; carries the current file.</summary>
public sealed class HeartbeatEvent : BinlogEvent
{
    internal HeartbeatEvent(BinlogEventHeader header, string fileName)
        : base(header)
    {
        FileName = fileName;
    }

    public string FileName { get; }

    internal static HeartbeatEvent Parse(BinlogEventHeader header, ReadOnlySpan<byte> body) =>
        new(header, header.EventType == BinlogEventType.Heartbeat ? Encoding.UTF8.GetString(body) : string.Empty);
}
