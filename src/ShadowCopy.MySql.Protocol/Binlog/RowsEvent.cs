using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// WRITE/UPDATE/DELETE_ROWS v1 and v2. Post-header: table id (6 bytes), flags (2), and for v2 the extra
/// data block; body: column count, columns-present bitmap(s), then row images, each a NULL bitmap over the
/// present columns followed by the non-NULL values.
/// </summary>
public abstract class RowsEvent : BinlogEvent
{
    private protected RowsEvent(BinlogEventHeader header, TableMapEvent table, ushort flags, bool[] includedColumns, bool[]? includedColumnsAfter, BinlogRowChange[] rows)
        : base(header)
    {
        Table = table;
        Flags = flags;
        IncludedColumns = includedColumns;
        IncludedColumnsAfter = includedColumnsAfter ?? includedColumns;
        Rows = rows;
    }

    public ulong TableId => Table.TableId;

    public TableMapEvent Table { get; }

    public ushort Flags { get; }

    /// <summary>Columns present in the before image (updates, deletes) or the only image (inserts).</summary>
    public IReadOnlyList<bool> IncludedColumns { get; }

    /// <summary>Columns present in the after image of updates.</summary>
    public IReadOnlyList<bool> IncludedColumnsAfter { get; }

    public IReadOnlyList<BinlogRowChange> Rows { get; }

    internal static RowsEvent Parse(BinlogEventHeader header, ReadOnlySpan<byte> body, int postHeaderLength, Func<ulong, TableMapEvent?> findTable)
    {
        var type = header.EventType;
        var isV2 = type is BinlogEventType.WriteRowsV2 or BinlogEventType.UpdateRowsV2 or BinlogEventType.DeleteRowsV2;
        var isUpdate = type is BinlogEventType.UpdateRowsV1 or BinlogEventType.UpdateRowsV2;
        var isWrite = type is BinlogEventType.WriteRowsV1 or BinlogEventType.WriteRowsV2;
        var reader = new PacketReader(body);
        var tableId = postHeaderLength == 6 ? reader.ReadUInt32() : reader.ReadUInt48();
        var flags = reader.ReadUInt16();
        if (isV2)
        {
            var extraLength = reader.ReadUInt16();
            if (extraLength < 2)
            {
                throw new FormatException($"Invalid rows event extra-data length {extraLength}.");
            }

            reader.Skip(extraLength - 2);
        }

        var table = findTable(tableId) ?? throw new MySqlProtocolException($"Rows event for table id {tableId} without a preceding TABLE_MAP event.");
        var width = reader.ReadLengthEncodedInteger();
        if (width != (ulong)table.Columns.Count)
        {
            throw new FormatException($"Rows event has {width} columns, its TABLE_MAP {table.Columns.Count}.");
        }

        var included = ReadBitmap(ref reader, table.Columns.Count);
        var includedAfter = isUpdate ? ReadBitmap(ref reader, table.Columns.Count) : null;
        var data = reader.ReadRemaining().ToArray();
        var kinds = new MySqlValueKind[table.Columns.Count];
        for (var i = 0; i < kinds.Length; i++)
        {
            kinds[i] = BinlogValueCodec.GetKind(table.Columns[i]);
        }

        var rows = new List<BinlogRowChange>();
        var offset = 0;
        while (offset < data.Length)
        {
            var first = ReadImage(table, kinds, data, ref offset, included);
            if (isUpdate)
            {
                rows.Add(new BinlogRowChange(first, ReadImage(table, kinds, data, ref offset, includedAfter!)));
            }
            else
            {
                rows.Add(isWrite ? new BinlogRowChange(null, first) : new BinlogRowChange(first, null));
            }
        }

        return type switch
        {
            _ when isWrite => new WriteRowsEvent(header, table, flags, included, null, [.. rows]),
            _ when isUpdate => new UpdateRowsEvent(header, table, flags, included, includedAfter, [.. rows]),
            _ => new DeleteRowsEvent(header, table, flags, included, null, [.. rows]),
        };
    }

    private static bool[] ReadBitmap(ref PacketReader reader, int width)
    {
        var bytes = reader.ReadSpan((width + 7) / 8);
        var bits = new bool[width];
        for (var i = 0; i < width; i++)
        {
            bits[i] = (bytes[i / 8] & (1 << (i % 8))) != 0;
        }

        return bits;
    }

    private static BinlogRow ReadImage(TableMapEvent table, MySqlValueKind[] kinds, byte[] data, ref int offset, bool[] included)
    {
        var present = 0;
        foreach (var bit in included)
        {
            present += bit ? 1 : 0;
        }

        var nullBytes = (present + 7) / 8;
        if (offset + nullBytes > data.Length)
        {
            throw new FormatException("Row image truncated in its NULL bitmap.");
        }

        var nulls = data.AsSpan(offset, nullBytes);
        offset += nullBytes;
        var offsets = new int[included.Length * 2];
        var nullIndex = 0;
        for (var i = 0; i < included.Length; i++)
        {
            if (!included[i])
            {
                offsets[(i * 2) + 1] = BinlogRow.MissingLength;
                continue;
            }

            var isNull = (nulls[nullIndex / 8] & (1 << (nullIndex % 8))) != 0;
            nullIndex++;
            if (isNull)
            {
                offsets[(i * 2) + 1] = BinlogRow.NullLength;
                continue;
            }

            var length = BinlogValueCodec.GetLength(table.Columns[i], data.AsSpan(offset));
            if (length > data.Length - offset)
            {
                throw new FormatException($"Row image truncated in column {i} ({table.Columns[i].Type}).");
            }

            offsets[i * 2] = offset;
            offsets[(i * 2) + 1] = length;
            offset += length;
        }

        return new BinlogRow(table, kinds, data, offsets);
    }
}
