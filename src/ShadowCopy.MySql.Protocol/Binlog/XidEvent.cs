using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>XID_EVENT: commit of a transaction on a transactional engine.</summary>
public sealed class XidEvent : BinlogEvent
{
    internal XidEvent(BinlogEventHeader header, ulong xid)
        : base(header)
    {
        Xid = xid;
    }

    public ulong Xid { get; }

    internal static XidEvent Parse(BinlogEventHeader header, ReadOnlySpan<byte> body)
    {
        var reader = new PacketReader(body);
        return new XidEvent(header, reader.ReadUInt64());
    }
}
