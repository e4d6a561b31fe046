using System.Buffers.Binary;
using System.Text;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// Sizes and decodes one column value of a row image (binlog "Rows_log_event" value formats, per real type and
/// TABLE_MAP metadata). Results use the same .NET types as the text protocol so both can be compared.
/// </summary>
internal static class BinlogValueCodec
{
    /// <summary>Byte length of the value starting at <paramref name="data"/>.</summary>
    public static int GetLength(BinlogColumn column, ReadOnlySpan<byte> data)
    {
        return column.Type switch
        {
            MySqlColumnType.Tiny or MySqlColumnType.Year => 1,
            MySqlColumnType.Short => 2,
            MySqlColumnType.Int24 or MySqlColumnType.Date or MySqlColumnType.NewDate or MySqlColumnType.Time => 3,
            MySqlColumnType.Long or MySqlColumnType.Timestamp => 4,
            MySqlColumnType.LongLong or MySqlColumnType.DateTime => 8,
            MySqlColumnType.Float => column.PackLength == 0 ? 4 : column.PackLength,
            MySqlColumnType.Double => column.PackLength == 0 ? 8 : column.PackLength,
            MySqlColumnType.Null => 0,
            MySqlColumnType.Timestamp2 => 4 + BinlogTemporal.FractionBytes(column.FractionalSecondsPrecision),
            MySqlColumnType.DateTime2 => 5 + BinlogTemporal.FractionBytes(column.FractionalSecondsPrecision),
            MySqlColumnType.Time2 => 3 + BinlogTemporal.FractionBytes(column.FractionalSecondsPrecision),
            MySqlColumnType.NewDecimal => BinaryDecimal.GetSize(column.Precision, column.Scale),
            MySqlColumnType.Bit => (column.BitLength + 7) / 8,
            MySqlColumnType.Enum or MySqlColumnType.Set => column.PackLength,
            MySqlColumnType.VarChar or MySqlColumnType.VarString or MySqlColumnType.String => Prefixed(data, column.MaxLength > 255 ? 2 : 1),
            MySqlColumnType.Blob or MySqlColumnType.TinyBlob or MySqlColumnType.MediumBlob or MySqlColumnType.LongBlob
                or MySqlColumnType.Geometry or MySqlColumnType.Json => Prefixed(data, column.PackLength),
            _ => throw new MySqlProtocolException($"Binlog column type {column.Type} is not supported."),
        };
    }

    /// <summary>The value bytes without their length prefix (strings, blobs); the whole value otherwise.</summary>
    public static ReadOnlySpan<byte> Payload(BinlogColumn column, ReadOnlySpan<byte> value) => column.Type switch
    {
        MySqlColumnType.VarChar or MySqlColumnType.VarString or MySqlColumnType.String => value[(column.MaxLength > 255 ? 2 : 1)..],
        MySqlColumnType.Blob or MySqlColumnType.TinyBlob or MySqlColumnType.MediumBlob or MySqlColumnType.LongBlob
            or MySqlColumnType.Geometry or MySqlColumnType.Json => value[column.PackLength..],
        _ => value,
    };

    public static MySqlValueKind GetKind(BinlogColumn column)
    {
        var unsigned = column.IsUnsigned == true;
        return column.Type switch
        {
            MySqlColumnType.Tiny => unsigned ? MySqlValueKind.Byte : MySqlValueKind.SByte,
            MySqlColumnType.Short => unsigned ? MySqlValueKind.UInt16 : MySqlValueKind.Int16,
            MySqlColumnType.Int24 => MySqlValueKind.Int32,
            MySqlColumnType.Long => unsigned ? MySqlValueKind.UInt32 : MySqlValueKind.Int32,
            MySqlColumnType.LongLong => unsigned ? MySqlValueKind.UInt64 : MySqlValueKind.Int64,
            MySqlColumnType.Float => MySqlValueKind.Single,
            MySqlColumnType.Double => MySqlValueKind.Double,
            MySqlColumnType.NewDecimal => MySqlValueKind.Decimal,
            MySqlColumnType.Date or MySqlColumnType.NewDate or MySqlColumnType.DateTime or MySqlColumnType.DateTime2
                or MySqlColumnType.Timestamp or MySqlColumnType.Timestamp2 => MySqlValueKind.DateTime,
            MySqlColumnType.Time or MySqlColumnType.Time2 => MySqlValueKind.Time,
            MySqlColumnType.Year => MySqlValueKind.Year,
            MySqlColumnType.Bit => MySqlValueKind.Bit,
            MySqlColumnType.Null => MySqlValueKind.Null,
            MySqlColumnType.Json => MySqlValueKind.String,
            // Without ENUM/SET values in the TABLE_MAP, the index (int) / bitmask (ulong) is all there is.
            MySqlColumnType.Enum => column.EnumValues is null ? MySqlValueKind.Int32 : MySqlValueKind.String,
            MySqlColumnType.Set => column.SetValues is null ? MySqlValueKind.UInt64 : MySqlValueKind.String,
            MySqlColumnType.Geometry => MySqlValueKind.Bytes,
            // Character data whose collation the TABLE_MAP does not tell stays bytes: decoding with a guessed charset could be wrong.
            _ => column.CollationId is { } id && !CharacterSets.IsBinary(id) && CharacterSets.TryGetEncoding(id) is not null
                ? MySqlValueKind.String
                : MySqlValueKind.Bytes,
        };
    }

    public static object? Decode(BinlogColumn column, MySqlValueKind kind, ReadOnlySpan<byte> value)
    {
        return kind switch
        {
            MySqlValueKind.SByte => (sbyte)value[0],
            MySqlValueKind.Byte => value[0],
            MySqlValueKind.Int16 => BinaryPrimitives.ReadInt16LittleEndian(value),
            MySqlValueKind.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(value),
            MySqlValueKind.Int32 when column.Type == MySqlColumnType.Enum => (int)ReadUnsigned(value),
            MySqlValueKind.Int32 or MySqlValueKind.UInt32 or MySqlValueKind.Int64 => ToKind(kind, ReadInteger(column, value)),
            MySqlValueKind.UInt64 => ReadUnsigned(value),
            MySqlValueKind.Single => BinaryPrimitives.ReadSingleLittleEndian(value),
            MySqlValueKind.Double => BinaryPrimitives.ReadDoubleLittleEndian(value),
            MySqlValueKind.Decimal => BinaryDecimal.ToDecimal(value, column.Precision, column.Scale),
            MySqlValueKind.DateTime => ReadDateTime(column, value),
            MySqlValueKind.Time => ReadTime(column, value),
            MySqlValueKind.Year => value[0] == 0 ? 0 : 1900 + value[0],
            MySqlValueKind.Bit => ReadBigEndian(value),
            MySqlValueKind.Bytes => ReadBytes(column, value),
            MySqlValueKind.String => ReadString(column, value),
            MySqlValueKind.Null => null,
            _ => throw new MySqlProtocolException($"Cannot decode {column.Type} as {kind}."),
        };
    }

    /// <summary>
    /// Binary payload; BINARY(n) is stored without its trailing 0x00 padding (Field_string::pack), so it is
    /// padded back to n bytes, which is the value the column holds.
    /// </summary>
    public static byte[] ReadBytes(BinlogColumn column, ReadOnlySpan<byte> value)
    {
        var payload = Payload(column, value);
        if (column.Type == MySqlColumnType.String && column.CollationId == CharacterSets.Binary && payload.Length < column.MaxLength)
        {
            var padded = new byte[column.MaxLength];
            payload.CopyTo(padded);
            return padded;
        }

        return payload.ToArray();
    }

    /// <summary>Integers of every width as a signed 64-bit value (signed or unsigned per the column).</summary>
    public static long ReadInteger(BinlogColumn column, ReadOnlySpan<byte> value)
    {
        var unsigned = column.IsUnsigned == true;
        return column.Type switch
        {
            MySqlColumnType.Tiny => unsigned ? value[0] : (sbyte)value[0],
            MySqlColumnType.Short => unsigned ? BinaryPrimitives.ReadUInt16LittleEndian(value) : BinaryPrimitives.ReadInt16LittleEndian(value),
            MySqlColumnType.Int24 => unsigned ? value[0] | (value[1] << 8) | (value[2] << 16) : ((value[0] | (value[1] << 8) | (value[2] << 16)) << 8) >> 8,
            MySqlColumnType.Long => unsigned ? BinaryPrimitives.ReadUInt32LittleEndian(value) : BinaryPrimitives.ReadInt32LittleEndian(value),
            MySqlColumnType.LongLong => BinaryPrimitives.ReadInt64LittleEndian(value),
            MySqlColumnType.Year => value[0] == 0 ? 0 : 1900 + value[0],
            MySqlColumnType.Enum or MySqlColumnType.Set or MySqlColumnType.Bit => (long)ReadUnsigned(value),
            _ => throw new InvalidOperationException($"{column.Type} is not an integer column."),
        };
    }

    public static MySqlDateTime ReadDateTime(BinlogColumn column, ReadOnlySpan<byte> value) => column.Type switch
    {
        MySqlColumnType.DateTime2 => BinlogTemporal.ReadDateTime2(value, column.FractionalSecondsPrecision),
        MySqlColumnType.Timestamp2 => BinlogTemporal.ReadTimestamp2(value, column.FractionalSecondsPrecision),
        MySqlColumnType.Date or MySqlColumnType.NewDate => BinlogTemporal.ReadDate(value),
        MySqlColumnType.DateTime => BinlogTemporal.ReadOldDateTime(value),
        MySqlColumnType.Timestamp => BinlogTemporal.FromUnixSeconds(BinaryPrimitives.ReadUInt32LittleEndian(value), 0),
        _ => throw new InvalidOperationException($"{column.Type} is not a date/time column."),
    };

    public static TimeSpan ReadTime(BinlogColumn column, ReadOnlySpan<byte> value) => column.Type switch
    {
        MySqlColumnType.Time2 => BinlogTemporal.ReadTime2(value, column.FractionalSecondsPrecision),
        MySqlColumnType.Time => BinlogTemporal.ReadOldTime(value),
        _ => throw new InvalidOperationException($"{column.Type} is not a TIME column."),
    };

    public static string ReadString(BinlogColumn column, ReadOnlySpan<byte> value)
    {
        switch (column.Type)
        {
            case MySqlColumnType.Enum:
            {
                var index = (int)ReadUnsigned(value);
                var names = column.EnumValues ?? throw new InvalidOperationException("ENUM values are not in the TABLE_MAP (binlog_row_metadata=FULL).");
                // Index 0 is the error value '' that strict-less modes store for invalid input.
                return index == 0 ? string.Empty : index <= names.Count ? names[index - 1] : throw new FormatException($"ENUM index {index} out of range.");
            }

            case MySqlColumnType.Set:
            {
                var bits = ReadUnsigned(value);
                var names = column.SetValues ?? throw new InvalidOperationException("SET values are not in the TABLE_MAP (binlog_row_metadata=FULL).");
                var builder = new StringBuilder();
                for (var i = 0; i < names.Count; i++)
                {
                    if ((bits & (1UL << i)) != 0)
                    {
                        builder.Append(builder.Length == 0 ? string.Empty : ",").Append(names[i]);
                    }
                }

                return builder.ToString();
            }

            case MySqlColumnType.Json:
                return JsonBinary.ToJson(Payload(column, value));
            default:
                var encoding = column.CollationId is { } id ? CharacterSets.TryGetEncoding(id) : null;
                return (encoding ?? CharacterSets.Utf8).GetString(Payload(column, value));
        }
    }

    private static object ToKind(MySqlValueKind kind, long value) => kind switch
    {
        MySqlValueKind.Int32 => (object)(int)value,
        MySqlValueKind.UInt32 => (object)(uint)value,
        _ => (object)value,
    };

    private static ulong ReadUnsigned(ReadOnlySpan<byte> value)
    {
        if (value.Length > 8)
        {
            throw new FormatException("Integer wider than 8 bytes.");
        }

        ulong result = 0;
        for (var i = value.Length - 1; i >= 0; i--)
        {
            result = (result << 8) | value[i];
        }

        return result;
    }

    private static ulong ReadBigEndian(ReadOnlySpan<byte> value)
    {
        if (value.Length > 8)
        {
            throw new FormatException("BIT value wider than 8 bytes.");
        }

        ulong result = 0;
        foreach (var b in value)
        {
            result = (result << 8) | b;
        }

        return result;
    }

    private static int Prefixed(ReadOnlySpan<byte> data, int prefixBytes)
    {
        if (prefixBytes is < 1 or > 4 || data.Length < prefixBytes)
        {
            throw new FormatException($"Truncated length prefix ({prefixBytes} bytes, {data.Length} available).");
        }

        long length = 0;
        for (var i = prefixBytes - 1; i >= 0; i--)
        {
            length = (length << 8) | data[i];
        }

        if (length > data.Length - prefixBytes)
        {
            throw new FormatException($"Value length {length} exceeds the {data.Length - prefixBytes} remaining bytes of the row.");
        }

        return prefixBytes + (int)length;
    }
}
