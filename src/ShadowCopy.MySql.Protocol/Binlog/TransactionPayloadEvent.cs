using ShadowCopy.MySql.Protocol.Serialization;
using ZstdSharp;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// TRANSACTION_PAYLOAD_EVENT (MySQL 8.0.20+, binlog_transaction_compression=ON): one transaction's events,
/// compressed together. The body is a header of (type, length, value) fields, each a packed integer, ended by
/// type 0; then the payload (MySQL Server Doxygen, binary_log::Transaction_payload_event and its codec:
/// field 1 payload size, 2 compression type (0 zstd, 255 none), 3 uncompressed size). The inner events are
/// complete events (19-byte header) without checksums; the stream delivers them in place of this event.
/// </summary>
public sealed class TransactionPayloadEvent : BinlogEvent
{
    /// <summary>No event of ours is this large; a larger declared size is a corrupt or hostile event, not a transaction to inflate.</summary>
    internal const long MaxUncompressedSize = 1L << 30;

    private const ulong EndMark = 0;
    private const ulong SizeField = 1;
    private const ulong CompressionTypeField = 2;
    private const ulong UncompressedSizeField = 3;
    private const ulong Zstd = 0;
    private const ulong None = 255;

    internal TransactionPayloadEvent(BinlogEventHeader header, ulong compressionType, long uncompressedSize, IReadOnlyList<(BinlogEventHeader Header, BinlogEvent? Event)> events)
        : base(header)
    {
        CompressionType = compressionType;
        UncompressedSize = uncompressedSize;
        Events = events;
    }

    /// <summary>0 zstd, 255 none.</summary>
    public ulong CompressionType { get; }

    public long UncompressedSize { get; }

    /// <summary>The inner events in order, with their headers; null where the parser skips the event (as for outer events).</summary>
    public IReadOnlyList<(BinlogEventHeader Header, BinlogEvent? Event)> Events { get; }

    /// <summary>Reads the field header and returns the uncompressed inner events' bytes.</summary>
    internal static (ulong CompressionType, byte[] Events) Decompress(ReadOnlySpan<byte> body)
    {
        var reader = new PacketReader(body);
        ulong? size = null;
        var compression = None;
        long? uncompressed = null;
        while (true)
        {
            var type = reader.ReadLengthEncodedInteger();
            if (type == EndMark)
            {
                break;
            }

            var field = new PacketReader(reader.ReadSpan(reader.ReadLengthEncodedLength()));
            switch (type)
            {
                case SizeField:
                    size = field.ReadLengthEncodedInteger();
                    break;
                case CompressionTypeField:
                    compression = field.ReadLengthEncodedInteger();
                    break;
                case UncompressedSizeField:
                    var declared = field.ReadLengthEncodedInteger();
                    uncompressed = declared <= MaxUncompressedSize ? (long)declared : throw new FormatException($"Transaction payload declares {declared} uncompressed bytes, more than {MaxUncompressedSize}.");
                    break;
                default:
                    // Fields a later server adds are skipped by their length, as the format intends.
                    break;
            }
        }

        var payload = reader.ReadRemaining();
        if (size is { } declaredSize && declaredSize != (ulong)payload.Length)
        {
            throw new FormatException($"Transaction payload declares {declaredSize} bytes, the event holds {payload.Length}.");
        }

        switch (compression)
        {
            case None:
                return (compression, payload.ToArray());
            case Zstd:
                var output = new byte[uncompressed ?? throw new FormatException("Compressed transaction payload without its uncompressed size.")];
                using (var decompressor = new Decompressor())
                {
                    int written;
                    try
                    {
                        written = decompressor.Unwrap(payload, output);
                    }
                    catch (ZstdException ex)
                    {
                        throw new FormatException($"Transaction payload is not a valid zstd frame: {ex.Message}", ex);
                    }

                    return written == output.Length
                        ? (compression, output)
                        : throw new FormatException($"Transaction payload inflated to {written} bytes, it declares {output.Length}.");
                }

            default:
                throw new MySqlProtocolException($"Transaction payload compression type {compression} is not supported (only zstd and none).");
        }
    }
}
