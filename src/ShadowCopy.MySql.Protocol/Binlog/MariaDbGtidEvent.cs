using System.Globalization;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>MariaDB GTID_EVENT (162): starts an event group "domain-server-sequence" (replaces BEGIN).</summary>
public sealed class MariaDbGtidEvent : BinlogEvent
{
    /// <summary>FL_STANDALONE: the group is one statement without BEGIN/COMMIT (DDL).</summary>
    public const byte StandaloneFlag = 1;

    private const byte GroupCommitIdFlag = 2;

    internal MariaDbGtidEvent(BinlogEventHeader header, ulong sequenceNumber, uint domainId, byte flags, ulong commitId)
        : base(header)
    {
        SequenceNumber = sequenceNumber;
        DomainId = domainId;
        Flags = flags;
        CommitId = commitId;
    }

    public ulong SequenceNumber { get; }

    public uint DomainId { get; }

    public byte Flags { get; }

    public ulong CommitId { get; }

    public bool IsStandalone => (Flags & StandaloneFlag) != 0;

    public string Gtid => string.Create(CultureInfo.InvariantCulture, $"{DomainId}-{Header.ServerId}-{SequenceNumber}");

    /// <summary>seq_no(8), domain_id(4), flags2(1), commit_id(8) when FL_GROUP_COMMIT_ID; XA data ignored.</summary>
    internal static MariaDbGtidEvent Parse(BinlogEventHeader header, ReadOnlySpan<byte> body)
    {
        var reader = new PacketReader(body);
        var sequence = reader.ReadUInt64();
        var domain = reader.ReadUInt32();
        var flags = reader.ReadByte();
        ulong commitId = 0;
        if ((flags & GroupCommitIdFlag) != 0)
        {
            commitId = reader.ReadUInt64();
        }

        return new MariaDbGtidEvent(header, sequence, domain, flags, commitId);
    }
}
