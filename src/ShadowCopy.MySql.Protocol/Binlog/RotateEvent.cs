using System.Text;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>ROTATE_EVENT: the stream continues in another file (also sent first, as a fake event, by every dump).</summary>
public sealed class RotateEvent : BinlogEvent
{
    internal RotateEvent(BinlogEventHeader header, string nextFileName, ulong nextPosition)
        : base(header)
    {
        NextFileName = nextFileName;
        NextPosition = nextPosition;
    }

    public string NextFileName { get; }

    public ulong NextPosition { get; }

    /// <summary>A rotate the server makes up at the start of a dump (not in the file): timestamp 0 or log position 0.</summary>
    public bool IsArtificial => Header.NextPosition == 0 || Header.Timestamp == 0;

    internal static RotateEvent Parse(BinlogEventHeader header, ReadOnlySpan<byte> body)
    {
        var reader = new PacketReader(body);
        var position = reader.ReadUInt64();
        var name = Encoding.UTF8.GetString(reader.ReadRemaining());
        if (name.Length == 0)
        {
            throw new FormatException("ROTATE event without a file name.");
        }

        return new RotateEvent(header, name, position);
    }
}
