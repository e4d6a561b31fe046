using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>The 19-byte v4 event header.</summary>
public readonly record struct BinlogEventHeader(uint Timestamp, BinlogEventType EventType, uint ServerId, uint EventSize, uint NextPosition, ushort Flags)
{
    public const int Size = 19;

    internal static BinlogEventHeader Read(ref PacketReader reader)
    {
        var timestamp = reader.ReadUInt32();
        var type = (BinlogEventType)reader.ReadByte();
        var serverId = reader.ReadUInt32();
        var size = reader.ReadUInt32();
        var next = reader.ReadUInt32();
        var flags = reader.ReadUInt16();
        return new BinlogEventHeader(timestamp, type, serverId, size, next, flags);
    }
}
