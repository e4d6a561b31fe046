using System.Text;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>FORMAT_DESCRIPTION_EVENT: binlog version, server version, post-header lengths and checksum algorithm.</summary>
public sealed class FormatDescriptionEvent : BinlogEvent
{
    private readonly byte[] _postHeaderLengths;

    internal FormatDescriptionEvent(BinlogEventHeader header, ushort binlogVersion, string serverVersion, uint createTimestamp, byte headerLength, byte[] postHeaderLengths, BinlogChecksumAlgorithm checksum)
        : base(header)
    {
        BinlogVersion = binlogVersion;
        ServerVersion = serverVersion;
        CreateTimestamp = createTimestamp;
        HeaderLength = headerLength;
        _postHeaderLengths = postHeaderLengths;
        ChecksumAlgorithm = checksum;
    }

    public ushort BinlogVersion { get; }

    public string ServerVersion { get; }

    public uint CreateTimestamp { get; }

    public byte HeaderLength { get; }

    public BinlogChecksumAlgorithm ChecksumAlgorithm { get; }

    /// <summary>Post-header length of an event type, or the given default when the server did not list it.</summary>
    public int GetPostHeaderLength(BinlogEventType type, int defaultLength)
    {
        var index = (int)type - 1;
        return index >= 0 && index < _postHeaderLengths.Length ? _postHeaderLengths[index] : defaultLength;
    }

    /// <summary>
    /// Parses the whole event (header included, checksum included): the algorithm byte sits just before the
    /// 4-byte checksum, and the post-header length array runs up to it.
    /// </summary>
    internal static FormatDescriptionEvent Parse(BinlogEventHeader header, ReadOnlySpan<byte> eventBytes)
    {
        const int fixedPart = BinlogEventHeader.Size + 2 + 50 + 4 + 1;
        if (eventBytes.Length < fixedPart)
        {
            throw new FormatException("FORMAT_DESCRIPTION event is truncated.");
        }

        var reader = new PacketReader(eventBytes[BinlogEventHeader.Size..]);
        var version = reader.ReadUInt16();
        var serverVersion = Encoding.ASCII.GetString(reader.ReadSpan(50)).TrimEnd('\0');
        var created = reader.ReadUInt32();
        var headerLength = reader.ReadByte();
        if (headerLength != BinlogEventHeader.Size)
        {
            throw new FormatException($"Unsupported binlog event header length {headerLength}.");
        }

        // Checksum-aware servers (MySQL 5.6.1+, MariaDB 5.3+) end the event with alg(1) [+ crc(4)]; the CRC
        // itself tells a CRC32 trailer from a post-header length that happens to be 1.
        BinlogChecksumAlgorithm checksum;
        int trailer;
        if (eventBytes.Length >= fixedPart + 5 && eventBytes[^5] == (byte)BinlogChecksumAlgorithm.Crc32
            && Crc32.Compute(eventBytes[..^4]) == System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(eventBytes[^4..]))
        {
            checksum = BinlogChecksumAlgorithm.Crc32;
            trailer = 5;
        }
        else if (eventBytes[^1] == (byte)BinlogChecksumAlgorithm.Off)
        {
            checksum = BinlogChecksumAlgorithm.Off;
            trailer = 1;
        }
        else if (eventBytes.Length >= fixedPart + 5 && eventBytes[^5] == (byte)BinlogChecksumAlgorithm.Off)
        {
            checksum = BinlogChecksumAlgorithm.Off;
            trailer = 5;
        }
        else
        {
            checksum = BinlogChecksumAlgorithm.Undefined;
            trailer = 0;
        }

        var lengths = reader.ReadSpan(Math.Max(0, reader.Remaining - trailer)).ToArray();
        return new FormatDescriptionEvent(header, version, serverVersion, created, headerLength, lengths, checksum);
    }
}
