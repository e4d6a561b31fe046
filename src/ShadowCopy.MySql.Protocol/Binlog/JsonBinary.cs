using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// MySQL 5.7+/8 binary JSON (sql/json_binary.h) to JSON text in MySQL's own rendering
/// (<c>{"a": 1, "b": [true, null]}</c>). Every node type: small/large object and array, literals,
/// int16/uint16/int32/uint32/int64/uint64, double, string, opaque (DECIMAL, temporal, others as base64).
/// </summary>
internal static class JsonBinary
{
    private const byte SmallObject = 0x00;
    private const byte LargeObject = 0x01;
    private const byte SmallArray = 0x02;
    private const byte LargeArray = 0x03;
    private const byte Literal = 0x04;
    private const byte Int16 = 0x05;
    private const byte UInt16 = 0x06;
    private const byte Int32 = 0x07;
    private const byte UInt32 = 0x08;
    private const byte Int64 = 0x09;
    private const byte UInt64 = 0x0A;
    private const byte Double = 0x0B;
    private const byte String = 0x0C;
    private const byte Opaque = 0x0F;
    private const int MaxDepth = 100;

    public static string ToJson(ReadOnlySpan<byte> document)
    {
        // An empty document is how MySQL stores the JSON null literal written by some paths.
        if (document.IsEmpty)
        {
            return "null";
        }

        var builder = new StringBuilder();
        WriteValue(builder, document[0], document[1..], 0);
        return builder.ToString();
    }

    private static void WriteValue(StringBuilder builder, byte type, ReadOnlySpan<byte> data, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new FormatException("JSON document nested too deeply.");
        }

        switch (type)
        {
            case SmallObject or LargeObject:
                WriteContainer(builder, data, large: type == LargeObject, isObject: true, depth);
                break;
            case SmallArray or LargeArray:
                WriteContainer(builder, data, large: type == LargeArray, isObject: false, depth);
                break;
            case Literal:
                builder.Append(Need(data, 1)[0] switch
                {
                    0x00 => "null",
                    0x01 => "true",
                    0x02 => "false",
                    var other => throw new FormatException($"Invalid JSON literal 0x{other:X2}."),
                });
                break;
            case Int16:
                builder.Append(BinaryPrimitives.ReadInt16LittleEndian(Need(data, 2)).ToString(CultureInfo.InvariantCulture));
                break;
            case UInt16:
                builder.Append(BinaryPrimitives.ReadUInt16LittleEndian(Need(data, 2)).ToString(CultureInfo.InvariantCulture));
                break;
            case Int32:
                builder.Append(BinaryPrimitives.ReadInt32LittleEndian(Need(data, 4)).ToString(CultureInfo.InvariantCulture));
                break;
            case UInt32:
                builder.Append(BinaryPrimitives.ReadUInt32LittleEndian(Need(data, 4)).ToString(CultureInfo.InvariantCulture));
                break;
            case Int64:
                builder.Append(BinaryPrimitives.ReadInt64LittleEndian(Need(data, 8)).ToString(CultureInfo.InvariantCulture));
                break;
            case UInt64:
                builder.Append(BinaryPrimitives.ReadUInt64LittleEndian(Need(data, 8)).ToString(CultureInfo.InvariantCulture));
                break;
            case Double:
                WriteDouble(builder, BinaryPrimitives.ReadDoubleLittleEndian(Need(data, 8)));
                break;
            case String:
            {
                var length = ReadVariableLength(data, out var prefix);
                WriteString(builder, Encoding.UTF8.GetString(Need(data, prefix + length)[prefix..]));
                break;
            }

            case Opaque:
                WriteOpaque(builder, data);
                break;
            default:
                throw new FormatException($"Unknown JSON node type 0x{type:X2}.");
        }
    }

    /// <summary>
    /// Header: element count, total size (2 bytes each in small, 4 in large); then key entries
    /// (offset, 2-byte length) for objects; then value entries (type, offset or inlined value).
    /// Offsets are relative to the start of the container.
    /// </summary>
    private static void WriteContainer(StringBuilder builder, ReadOnlySpan<byte> data, bool large, bool isObject, int depth)
    {
        var offsetSize = large ? 4 : 2;
        var count = ReadOffset(data, 0, large);
        var size = ReadOffset(data, offsetSize, large);
        if (size > data.Length || count > size)
        {
            throw new FormatException($"JSON container claims {size} bytes / {count} elements with {data.Length} available.");
        }

        var container = data[..size];
        var keyEntriesStart = 2 * offsetSize;
        var keyEntrySize = offsetSize + 2;
        var valueEntriesStart = keyEntriesStart + (isObject ? count * keyEntrySize : 0);
        var valueEntrySize = 1 + offsetSize;
        if (valueEntriesStart + (count * (long)valueEntrySize) > size)
        {
            throw new FormatException("JSON container entries exceed its size.");
        }

        builder.Append(isObject ? '{' : '[');
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            if (isObject)
            {
                var keyEntry = keyEntriesStart + (i * keyEntrySize);
                var keyOffset = ReadOffset(container, keyEntry, large);
                var keyLength = BinaryPrimitives.ReadUInt16LittleEndian(Need(container[(keyEntry + offsetSize)..], 2));
                if (keyOffset + keyLength > size)
                {
                    throw new FormatException("JSON key outside its container.");
                }

                WriteString(builder, Encoding.UTF8.GetString(container.Slice(keyOffset, keyLength)));
                builder.Append(": ");
            }

            var entry = valueEntriesStart + (i * valueEntrySize);
            var valueType = container[entry];
            if (IsInlined(valueType, large))
            {
                WriteValue(builder, valueType, container.Slice(entry + 1, offsetSize), depth + 1);
            }
            else
            {
                var valueOffset = ReadOffset(container, entry + 1, large);
                if (valueOffset >= size)
                {
                    throw new FormatException("JSON value outside its container.");
                }

                WriteValue(builder, valueType, container[valueOffset..], depth + 1);
            }
        }

        builder.Append(isObject ? '}' : ']');
    }

    private static bool IsInlined(byte type, bool large) =>
        type is Literal or Int16 or UInt16 || (large && type is Int32 or UInt32);

    /// <summary>Opaque: MySQL column type, variable length, bytes.</summary>
    private static void WriteOpaque(StringBuilder builder, ReadOnlySpan<byte> data)
    {
        var fieldType = (MySqlColumnType)Need(data, 1)[0];
        var length = ReadVariableLength(data[1..], out var prefix);
        var value = Need(data[(1 + prefix)..], length)[..length];
        switch (fieldType)
        {
            case MySqlColumnType.NewDecimal:
                builder.Append(BinaryDecimal.ToText(Need(value, 2)[2..], value[0], value[1]));
                break;
            case MySqlColumnType.Date:
            {
                var dt = ReadPackedDateTime(value);
                builder.Append(CultureInfo.InvariantCulture, $"\"{dt.Year:D4}-{dt.Month:D2}-{dt.Day:D2}\"");
                break;
            }

            case MySqlColumnType.DateTime or MySqlColumnType.Timestamp or MySqlColumnType.DateTime2 or MySqlColumnType.Timestamp2:
                builder.Append('"').Append(ReadPackedDateTime(value).ToString()).Append('"');
                break;
            case MySqlColumnType.Time or MySqlColumnType.Time2:
                builder.Append('"').Append(MySqlEscaping.FormatTime(BinlogTemporal.FromPackedTime(BinaryPrimitives.ReadInt64LittleEndian(Need(value, 8))))).Append('"');
                break;
            default:
                builder.Append(CultureInfo.InvariantCulture, $"\"base64:type{(int)fieldType}:{Convert.ToBase64String(value)}\"");
                break;
        }
    }

    private static MySqlDateTime ReadPackedDateTime(ReadOnlySpan<byte> value)
    {
        var packed = BinaryPrimitives.ReadInt64LittleEndian(Need(value, 8));
        if (packed < 0)
        {
            throw new FormatException("Negative packed DATETIME in JSON.");
        }

        return BinlogTemporal.FromPackedDateTime(packed >> 24, packed % (1 << 24));
    }

    /// <summary>Lengths use 7 bits per byte, least significant first, high bit = more bytes (at most 5).</summary>
    private static int ReadVariableLength(ReadOnlySpan<byte> data, out int prefix)
    {
        long length = 0;
        for (var i = 0; i < 5; i++)
        {
            var b = Need(data, i + 1)[i];
            length |= (long)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                prefix = i + 1;
                if (length > int.MaxValue)
                {
                    throw new FormatException("JSON length too large.");
                }

                return (int)length;
            }
        }

        throw new FormatException("JSON variable length longer than 5 bytes.");
    }

    private static int ReadOffset(ReadOnlySpan<byte> data, int at, bool large)
    {
        if (at < 0 || at > data.Length)
        {
            throw new FormatException("JSON offset outside the document.");
        }

        if (!large)
        {
            return BinaryPrimitives.ReadUInt16LittleEndian(Need(data[at..], 2));
        }

        var value = BinaryPrimitives.ReadUInt32LittleEndian(Need(data[at..], 4));
        return value <= int.MaxValue ? (int)value : throw new FormatException("JSON offset too large.");
    }

    private static ReadOnlySpan<byte> Need(ReadOnlySpan<byte> data, int length) =>
        data.Length >= length ? data : throw new FormatException($"Truncated JSON value: needed {length} bytes, {data.Length} available.");

    private static void WriteDouble(StringBuilder builder, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new FormatException("JSON double is not finite.");
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        builder.Append(text.Replace("E+", "e", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal));
        if (value == Math.Floor(value) && Math.Abs(value) < 1e15 && !text.Contains('E', StringComparison.Ordinal))
        {
            builder.Append(".0");
        }
    }

    private static void WriteString(StringBuilder builder, string value)
    {
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\b':
                    builder.Append("\\b");
                    break;
                case '\f':
                    builder.Append("\\f");
                    break;
                case < ' ':
                    builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        builder.Append('"');
    }
}
