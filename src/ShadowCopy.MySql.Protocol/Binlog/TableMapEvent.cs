using System.Text;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>TABLE_MAP_EVENT: maps a table id to schema, table and column types for the row events that follow.</summary>
public sealed class TableMapEvent : BinlogEvent
{
    internal TableMapEvent(BinlogEventHeader header, ulong tableId, string databaseName, string tableName, BinlogColumn[] columns, int[] primaryKey)
        : base(header)
    {
        TableId = tableId;
        DatabaseName = databaseName;
        TableName = tableName;
        Columns = columns;
        PrimaryKey = primaryKey;
    }

    public ulong TableId { get; }

    public string DatabaseName { get; }

    public string TableName { get; }

    public IReadOnlyList<BinlogColumn> Columns { get; }

    /// <summary>Primary key column indexes from the optional metadata (empty when not sent).</summary>
    public IReadOnlyList<int> PrimaryKey { get; }

    internal static TableMapEvent Parse(BinlogEventHeader header, ReadOnlySpan<byte> body, int postHeaderLength)
    {
        var reader = new PacketReader(body);
        var tableId = postHeaderLength == 6 ? reader.ReadUInt32() : reader.ReadUInt48();
        reader.ReadUInt16(); // flags
        var database = Encoding.UTF8.GetString(reader.ReadSpan(reader.ReadByte()));
        reader.ReadByte();
        var table = Encoding.UTF8.GetString(reader.ReadSpan(reader.ReadByte()));
        reader.ReadByte();
        var count = reader.ReadLengthEncodedLength();
        var types = reader.ReadSpan(count);
        var metadata = reader.ReadLengthEncodedBytes();
        var nullBitmap = reader.ReadSpan((count + 7) / 8);
        var columns = new BinlogColumn[count];
        for (var i = 0; i < count; i++)
        {
            columns[i] = new BinlogColumn(i, (MySqlColumnType)types[i], (nullBitmap[i / 8] & (1 << (i % 8))) != 0);
        }

        ReadTypeMetadata(columns, metadata);
        var primaryKey = TableMapOptionalMetadata.Read(columns, ref reader);
        return new TableMapEvent(header, tableId, database, table, columns, primaryKey);
    }

    /// <summary>Per-type metadata block (binlog "Table_map_log_event" field metadata).</summary>
    private static void ReadTypeMetadata(BinlogColumn[] columns, ReadOnlySpan<byte> metadata)
    {
        var reader = new PacketReader(metadata);
        foreach (var column in columns)
        {
            switch (column.Type)
            {
                case MySqlColumnType.Float or MySqlColumnType.Double:
                    column.PackLength = reader.ReadByte();
                    if (column.PackLength != (column.Type == MySqlColumnType.Float ? 4 : 8))
                    {
                        throw new FormatException($"Invalid {column.Type} pack length {column.PackLength}.");
                    }

                    break;
                case MySqlColumnType.Blob or MySqlColumnType.TinyBlob or MySqlColumnType.MediumBlob or MySqlColumnType.LongBlob
                    or MySqlColumnType.Geometry or MySqlColumnType.Json:
                    column.PackLength = reader.ReadByte();
                    if (column.PackLength is < 1 or > 4)
                    {
                        throw new FormatException($"Invalid {column.Type} length-prefix size {column.PackLength}.");
                    }

                    break;
                case MySqlColumnType.Timestamp2 or MySqlColumnType.DateTime2 or MySqlColumnType.Time2:
                    column.FractionalSecondsPrecision = reader.ReadByte();
                    if (column.FractionalSecondsPrecision > 6)
                    {
                        throw new FormatException($"Invalid fractional seconds precision {column.FractionalSecondsPrecision}.");
                    }

                    break;
                case MySqlColumnType.VarChar or MySqlColumnType.VarString:
                    column.MaxLength = reader.ReadUInt16();
                    break;
                case MySqlColumnType.Bit:
                    var bits = reader.ReadByte();
                    var bytes = reader.ReadByte();
                    column.BitLength = (bytes * 8) + bits;
                    if (bits > 7 || column.BitLength is < 1 or > 64)
                    {
                        throw new FormatException($"Invalid BIT metadata ({bits} bits, {bytes} bytes).");
                    }

                    break;
                case MySqlColumnType.NewDecimal:
                    column.Precision = reader.ReadByte();
                    column.Scale = reader.ReadByte();
                    if (column.Precision is 0 or > 65 || column.Scale > 30 || column.Scale > column.Precision)
                    {
                        throw new FormatException($"Invalid DECIMAL({column.Precision},{column.Scale}) metadata.");
                    }

                    break;
                case MySqlColumnType.String or MySqlColumnType.Enum or MySqlColumnType.Set:
                    ReadStringMetadata(column, reader.ReadByte(), reader.ReadByte());
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>
    /// CHAR/ENUM/SET: byte 0 is the real type, byte 1 the length; lengths above 255 borrow bits 4-5 of the
    /// real type, stored inverted (MySQL bug #37426).
    /// </summary>
    private static void ReadStringMetadata(BinlogColumn column, byte b0, byte b1)
    {
        int realType = b0, length = b1;
        if ((b0 & 0x30) != 0x30)
        {
            length = b1 | (((b0 & 0x30) ^ 0x30) << 4);
            realType = b0 | 0x30;
        }

        column.Type = (MySqlColumnType)realType;
        switch (column.Type)
        {
            case MySqlColumnType.Enum or MySqlColumnType.Set:
                column.PackLength = length;
                if (length < 1 || length > (column.Type == MySqlColumnType.Enum ? 2 : 8))
                {
                    throw new FormatException($"Invalid {column.Type} pack length {length}.");
                }

                break;
            case MySqlColumnType.String:
                column.MaxLength = length;
                break;
            default:
                throw new FormatException($"Unexpected real type {realType} in CHAR metadata.");
        }
    }
}
