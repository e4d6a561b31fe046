using System.Text;
using ShadowCopy.MySql.Protocol.Binlog;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Tests.Fakes;

/// <summary>Builds binlog events byte by byte from the documented v4 layout.</summary>
internal static class BinlogBytes
{
    /// <summary>MySQL 8.0 post-header lengths (event types 1..41).</summary>
    public static readonly byte[] MySql8PostHeaderLengths =
    [
        56, 13, 0, 8, 0, 18, 0, 4, 4, 4, 4, 18, 0, 0, 95, 0, 4, 0, 8, 0, 0, 0, 8, 8, 8, 2, 0, 0, 10, 10, 10, 42, 42, 0, 18, 52, 0, 0, 0, 0, 0,
    ];

    public static byte[] Event(BinlogEventType type, byte[] body, uint nextPosition = 1000, uint serverId = 1, bool checksum = true, uint timestamp = 1_700_000_000)
    {
        var w = new PacketWriter();
        w.WriteUInt32(timestamp);
        w.WriteByte((byte)type);
        w.WriteUInt32(serverId);
        w.WriteUInt32((uint)(BinlogEventHeader.Size + body.Length + (checksum ? 4 : 0)));
        w.WriteUInt32(nextPosition);
        w.WriteUInt16(0);
        w.WriteBytes(body);
        if (checksum)
        {
            w.WriteUInt32(Crc32.Compute(w.WrittenSpan));
        }

        return w.ToArray();
    }

    public static byte[] FormatDescription(string serverVersion = "8.0.36", bool checksum = true)
    {
        var w = new PacketWriter();
        w.WriteUInt16(4);
        var version = new byte[50];
        Encoding.ASCII.GetBytes(serverVersion).CopyTo(version, 0);
        w.WriteBytes(version);
        w.WriteUInt32(1_700_000_000);
        w.WriteByte(19);
        w.WriteBytes(MySql8PostHeaderLengths);
        w.WriteByte(checksum ? (byte)1 : (byte)0);
        return Event(BinlogEventType.FormatDescription, w.ToArray(), 126, checksum: checksum);
    }

    public static byte[] Rotate(string file, ulong position, uint timestamp = 0)
    {
        var w = new PacketWriter();
        w.WriteUInt64(position);
        w.WriteString(file);
        return Event(BinlogEventType.Rotate, w.ToArray(), nextPosition: 0, timestamp: timestamp);
    }

    public static byte[] Query(string sql, string database = "db", uint nextPosition = 1000, bool checksum = true)
    {
        var w = new PacketWriter();
        w.WriteUInt32(7);
        w.WriteUInt32(0);
        w.WriteByte((byte)Encoding.UTF8.GetByteCount(database));
        w.WriteUInt16(0);
        w.WriteUInt16(3);
        w.WriteBytes([0x00, 0x00, 0x00]); // a flags2 status var (Q_FLAGS2_CODE) with a truncated value, skipped by length
        w.WriteNullTerminatedString(database);
        w.WriteString(sql);
        return Event(BinlogEventType.Query, w.ToArray(), nextPosition, checksum: checksum);
    }

    public static byte[] Xid(ulong xid, uint nextPosition = 1000, bool checksum = true)
    {
        var w = new PacketWriter();
        w.WriteUInt64(xid);
        return Event(BinlogEventType.Xid, w.ToArray(), nextPosition, checksum: checksum);
    }
}
