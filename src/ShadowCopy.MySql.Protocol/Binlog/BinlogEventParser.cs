using System.Buffers.Binary;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// Turns raw events (header + body + optional CRC32) into typed events, keeping the state they depend on:
/// the FORMAT_DESCRIPTION (post-header lengths, checksum algorithm) and the TABLE_MAP cache.
/// </summary>
internal sealed class BinlogEventParser
{
    private readonly Dictionary<ulong, TableMapEvent> _tables = [];
    private readonly bool _verifyChecksum;
    private readonly Func<string, string, bool>? _includeTable;
    private FormatDescriptionEvent? _format;

    /// <param name="checksum">Algorithm negotiated before the first FORMAT_DESCRIPTION (applies to the artificial ROTATE).</param>
    /// <param name="verifyChecksum">Check each event's CRC32 when the stream carries one.</param>
    /// <param name="includeTable">Tables whose row events are decoded (null: all); others parse as skipped (null).</param>
    public BinlogEventParser(BinlogChecksumAlgorithm checksum, bool verifyChecksum, Func<string, string, bool>? includeTable = null)
    {
        Checksum = checksum;
        _verifyChecksum = verifyChecksum;
        _includeTable = includeTable;
    }

    public BinlogChecksumAlgorithm Checksum { get; private set; }

    /// <summary>Parses one event; returns null for event types that are skipped (their position still counts).</summary>
    public BinlogEvent? Parse(ReadOnlySpan<byte> eventBytes, out BinlogEventHeader header)
    {
        if (eventBytes.Length < BinlogEventHeader.Size)
        {
            throw new FormatException($"Binlog event of {eventBytes.Length} bytes is shorter than its header.");
        }

        var reader = new PacketReader(eventBytes);
        header = BinlogEventHeader.Read(ref reader);
        if (header.EventSize != eventBytes.Length)
        {
            throw new FormatException($"Binlog event header says {header.EventSize} bytes, packet holds {eventBytes.Length}.");
        }

        if (header.EventType == BinlogEventType.FormatDescription)
        {
            var format = FormatDescriptionEvent.Parse(header, eventBytes);
            if (format.ChecksumAlgorithm == BinlogChecksumAlgorithm.Crc32)
            {
                VerifyChecksum(eventBytes, header);
            }

            _format = format;
            Checksum = format.ChecksumAlgorithm == BinlogChecksumAlgorithm.Crc32 ? BinlogChecksumAlgorithm.Crc32 : BinlogChecksumAlgorithm.Off;
            return format;
        }

        var end = eventBytes.Length;
        if (Checksum == BinlogChecksumAlgorithm.Crc32)
        {
            if (end < BinlogEventHeader.Size + 4)
            {
                throw new FormatException("Binlog event too short for its checksum.");
            }

            VerifyChecksum(eventBytes, header);
            end -= 4;
        }

        var body = eventBytes[BinlogEventHeader.Size..end];
        switch (header.EventType)
        {
            case BinlogEventType.Rotate:
                return RotateEvent.Parse(header, body);
            case BinlogEventType.Query:
                return QueryEvent.Parse(header, body, PostHeader(BinlogEventType.Query, 13));
            case BinlogEventType.Xid:
                return XidEvent.Parse(header, body);
            case BinlogEventType.TableMap:
                var table = TableMapEvent.Parse(header, body, PostHeader(BinlogEventType.TableMap, 8));
                _tables[table.TableId] = table;
                return table;
            case BinlogEventType.WriteRowsV1 or BinlogEventType.UpdateRowsV1 or BinlogEventType.DeleteRowsV1:
                return Excluded(body, PostHeader(header.EventType, 8)) ? null : RowsEvent.Parse(header, body, PostHeader(header.EventType, 8), FindTable);
            case BinlogEventType.WriteRowsV2 or BinlogEventType.UpdateRowsV2 or BinlogEventType.DeleteRowsV2:
                return Excluded(body, PostHeader(header.EventType, 10)) ? null : RowsEvent.Parse(header, body, PostHeader(header.EventType, 10), FindTable);
            case BinlogEventType.Gtid or BinlogEventType.AnonymousGtid:
                return GtidEvent.Parse(header, body);
            case BinlogEventType.MariaDbGtid:
                return MariaDbGtidEvent.Parse(header, body);
            case BinlogEventType.MariaDbAnnotateRows or BinlogEventType.RowsQuery:
                return AnnotateRowsEvent.Parse(header, body);
            case BinlogEventType.Heartbeat or BinlogEventType.HeartbeatV2:
                return HeartbeatEvent.Parse(header, body);
            case BinlogEventType.PartialUpdateRows:
                throw new MySqlProtocolException(
                    "PARTIAL_UPDATE_ROWS_EVENT (partial JSON updates, binlog_row_value_options=PARTIAL_JSON) is not supported: the after image is a diff, not a row. Set binlog_row_value_options='' on the source.");
            case BinlogEventType.TransactionPayload:
                return ParsePayload(header, body);
            case BinlogEventType.MariaDbWriteRowsCompressedV1 or BinlogEventType.MariaDbUpdateRowsCompressedV1 or BinlogEventType.MariaDbDeleteRowsCompressedV1
                or BinlogEventType.MariaDbQueryCompressed:
                throw new MySqlProtocolException("Compressed MariaDB binlog events (log_bin_compress=ON) are not supported.");
            default:
                return null;
        }
    }

    /// <summary>The inner events of a compressed transaction, parsed like outer ones but without checksums (they carry none).</summary>
    private TransactionPayloadEvent ParsePayload(BinlogEventHeader header, ReadOnlySpan<byte> body)
    {
        var (compression, bytes) = TransactionPayloadEvent.Decompress(body);
        var events = new List<(BinlogEventHeader, BinlogEvent?)>();
        var outerChecksum = Checksum;
        Checksum = BinlogChecksumAlgorithm.Off;
        try
        {
            var offset = 0;
            while (offset < bytes.Length)
            {
                if (bytes.Length - offset < BinlogEventHeader.Size)
                {
                    throw new FormatException($"Transaction payload ends inside an event header at byte {offset}.");
                }

                var size = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 9, 4)), int.MaxValue);
                if (size < BinlogEventHeader.Size || size > bytes.Length - offset)
                {
                    throw new FormatException($"Transaction payload holds an event of {size} bytes at byte {offset}, past its end.");
                }

                if ((BinlogEventType)bytes[offset + 4] is BinlogEventType.TransactionPayload or BinlogEventType.FormatDescription)
                {
                    throw new FormatException("A transaction payload cannot nest a payload or a FORMAT_DESCRIPTION event.");
                }

                var inner = Parse(bytes.AsSpan(offset, size), out var innerHeader);
                events.Add((innerHeader, inner));
                offset += size;
            }
        }
        finally
        {
            Checksum = outerChecksum;
        }

        return new TransactionPayloadEvent(header, compression, bytes.Length, events);
    }

    private TableMapEvent? FindTable(ulong tableId) => _tables.GetValueOrDefault(tableId);

    /// <summary>
    /// A rows event of a table the filter leaves out (its TABLE_MAP known; a rows event without
    /// one is never excluded, so it still fails loudly in <see cref="RowsEvent.Parse"/>).
    /// </summary>
    private bool Excluded(ReadOnlySpan<byte> body, int postHeaderLength)
    {
        if (_includeTable is null || body.Length < 6)
        {
            return false;
        }

        var reader = new PacketReader(body);
        var tableId = postHeaderLength == 6 ? reader.ReadUInt32() : reader.ReadUInt48();
        return FindTable(tableId) is { } table && !_includeTable(table.DatabaseName, table.TableName);
    }

    private int PostHeader(BinlogEventType type, int defaultLength) => _format?.GetPostHeaderLength(type, defaultLength) ?? defaultLength;

    private void VerifyChecksum(ReadOnlySpan<byte> eventBytes, BinlogEventHeader header)
    {
        if (!_verifyChecksum)
        {
            return;
        }

        var expected = BinaryPrimitives.ReadUInt32LittleEndian(eventBytes[^4..]);
        var actual = Crc32.Compute(eventBytes[..^4]);
        if (expected != actual)
        {
            throw new MySqlProtocolException($"Binlog checksum mismatch in {header.EventType} event ending at {header.NextPosition}: stored 0x{expected:X8}, computed 0x{actual:X8}.");
        }
    }
}
