using System.Text;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// TLV fields after the TABLE_MAP null bitmap (MySQL 8.0.1+ and MariaDB 10.5+ with binlog_row_metadata):
/// type(1), length(lenenc), value. Unknown types are skipped by their length.
/// </summary>
internal static class TableMapOptionalMetadata
{
    private const byte Signedness = 1;
    private const byte DefaultCharset = 2;
    private const byte ColumnCharset = 3;
    private const byte ColumnName = 4;
    private const byte SetStrValue = 5;
    private const byte EnumStrValue = 6;
    private const byte GeometryType = 7;
    private const byte SimplePrimaryKey = 8;
    private const byte PrimaryKeyWithPrefix = 9;

    public static int[] Read(BinlogColumn[] columns, ref PacketReader reader)
    {
        var primaryKey = new List<int>();
        while (!reader.IsAtEnd)
        {
            var type = reader.ReadByte();
            var value = new PacketReader(reader.ReadLengthEncodedBytes());
            switch (type)
            {
                case Signedness:
                    ReadSignedness(columns, value.ReadRemaining());
                    break;
                case DefaultCharset:
                    ReadDefaultCharset(columns, ref value);
                    break;
                case ColumnCharset:
                    foreach (var column in Where(columns, static c => c.IsCharacter))
                    {
                        column.CollationId = (int)value.ReadLengthEncodedInteger();
                    }

                    break;
                case ColumnName:
                    foreach (var column in columns)
                    {
                        column.Name = value.ReadLengthEncodedString();
                    }

                    break;
                case SetStrValue:
                    foreach (var column in Where(columns, static c => c.Type == MySqlColumnType.Set))
                    {
                        column.SetValues = ReadStrings(ref value);
                    }

                    break;
                case EnumStrValue:
                    foreach (var column in Where(columns, static c => c.Type == MySqlColumnType.Enum))
                    {
                        column.EnumValues = ReadStrings(ref value);
                    }

                    break;
                case GeometryType:
                    foreach (var column in Where(columns, static c => c.Type == MySqlColumnType.Geometry))
                    {
                        column.GeometryType = (int)value.ReadLengthEncodedInteger();
                    }

                    break;
                case SimplePrimaryKey:
                    while (!value.IsAtEnd)
                    {
                        primaryKey.Add(ColumnIndex(columns, value.ReadLengthEncodedInteger()));
                    }

                    break;
                case PrimaryKeyWithPrefix:
                    while (!value.IsAtEnd)
                    {
                        primaryKey.Add(ColumnIndex(columns, value.ReadLengthEncodedInteger()));
                        value.ReadLengthEncodedInteger(); // prefix length, 0 for the whole column
                    }

                    break;
                default:
                    break; // ENUM/SET charsets, column visibility and future fields
            }
        }

        foreach (var index in primaryKey)
        {
            columns[index].IsPrimaryKey = true;
        }

        return [.. primaryKey];
    }

    /// <summary>One bit per numeric column, most significant bit first; set means UNSIGNED.</summary>
    private static void ReadSignedness(BinlogColumn[] columns, ReadOnlySpan<byte> bitmap)
    {
        var bit = 0;
        foreach (var column in Where(columns, static c => c.IsNumeric))
        {
            if (bit / 8 >= bitmap.Length)
            {
                throw new FormatException("SIGNEDNESS metadata is shorter than the number of numeric columns.");
            }

            column.IsUnsigned = (bitmap[bit / 8] & (0x80 >> (bit % 8))) != 0;
            bit++;
        }
    }

    /// <summary>Default collation, then (character-column index, collation) pairs for the exceptions.</summary>
    private static void ReadDefaultCharset(BinlogColumn[] columns, ref PacketReader value)
    {
        var characterColumns = Where(columns, static c => c.IsCharacter).ToArray();
        var defaultCollation = (int)value.ReadLengthEncodedInteger();
        foreach (var column in characterColumns)
        {
            column.CollationId = defaultCollation;
        }

        while (!value.IsAtEnd)
        {
            var index = value.ReadLengthEncodedInteger();
            var collation = (int)value.ReadLengthEncodedInteger();
            if (index >= (ulong)characterColumns.Length)
            {
                throw new FormatException($"DEFAULT_CHARSET metadata names character column {index} of {characterColumns.Length}.");
            }

            characterColumns[(int)index].CollationId = collation;
        }
    }

    private static string[] ReadStrings(ref PacketReader value)
    {
        var count = value.ReadLengthEncodedLength();
        var strings = new string[count];
        for (var i = 0; i < count; i++)
        {
            strings[i] = Encoding.UTF8.GetString(value.ReadLengthEncodedBytes());
        }

        return strings;
    }

    private static int ColumnIndex(BinlogColumn[] columns, ulong index) =>
        index < (ulong)columns.Length ? (int)index : throw new FormatException($"Primary key metadata names column {index} of {columns.Length}.");

    private static IEnumerable<BinlogColumn> Where(BinlogColumn[] columns, Func<BinlogColumn, bool> predicate) => columns.Where(predicate);
}
