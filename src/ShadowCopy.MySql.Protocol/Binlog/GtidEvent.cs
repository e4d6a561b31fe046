using System.Globalization;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>MySQL GTID_LOG_EVENT (33) / ANONYMOUS_GTID_LOG_EVENT (34): starts a transaction "source_uuid:transaction_number".</summary>
public sealed class GtidEvent : BinlogEvent
{
    internal GtidEvent(BinlogEventHeader header, byte flags, Guid sourceId, long transactionNumber, long lastCommitted, long sequenceNumber)
        : base(header)
    {
        Flags = flags;
        SourceId = sourceId;
        TransactionNumber = transactionNumber;
        LastCommitted = lastCommitted;
        SequenceNumber = sequenceNumber;
    }

    public byte Flags { get; }

    public Guid SourceId { get; }

    public long TransactionNumber { get; }

    public long LastCommitted { get; }

    public long SequenceNumber { get; }

    public bool IsAnonymous => EventType == BinlogEventType.AnonymousGtid;

    public string Gtid => string.Create(CultureInfo.InvariantCulture, $"{SourceId:D}:{TransactionNumber}");

    /// <summary>commit flag(1), SID(16, big-endian UUID), GNO(8), then optionally logical clock type 2 + last_committed(8) + sequence_number(8).</summary>
    internal static GtidEvent Parse(BinlogEventHeader header, ReadOnlySpan<byte> body)
    {
        var reader = new PacketReader(body);
        var flags = reader.ReadByte();
        var sid = new Guid(reader.ReadSpan(16), bigEndian: true);
        var gno = reader.ReadInt64();
        long lastCommitted = 0, sequence = 0;
        if (reader.Remaining >= 17 && reader.PeekByte() == 2)
        {
            reader.ReadByte();
            lastCommitted = reader.ReadInt64();
            sequence = reader.ReadInt64();
        }

        return new GtidEvent(header, flags, sid, gno, lastCommitted, sequence);
    }
}
