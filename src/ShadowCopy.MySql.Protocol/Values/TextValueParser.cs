using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace ShadowCopy.MySql.Protocol;

/// <summary>Parses text-protocol values (ASCII renderings) into .NET values without allocating for fixed-width types.</summary>
internal static class TextValueParser
{
    /// <summary>Significant digits a <see cref="decimal"/> always holds exactly.</summary>
    private const int MaxDecimalDigits = 28;

    public static object? Decode(MySqlColumn column, ReadOnlySpan<byte> data, Encoding? encoding)
    {
        try
        {
            return DecodeUnchecked(column, data, encoding);
        }
        catch (OverflowException ex)
        {
            throw new FormatException($"Value out of range for {column.Type} column '{column.Name}'.", ex);
        }
    }

    private static object? DecodeUnchecked(MySqlColumn column, ReadOnlySpan<byte> data, Encoding? encoding) => column.ValueKind switch
    {
        MySqlValueKind.SByte => checked((sbyte)ParseInt64(data)),
        MySqlValueKind.Byte => checked((byte)ParseUInt64(data)),
        MySqlValueKind.Int16 => checked((short)ParseInt64(data)),
        MySqlValueKind.UInt16 => checked((ushort)ParseUInt64(data)),
        MySqlValueKind.Int32 => checked((int)ParseInt64(data)),
        MySqlValueKind.UInt32 => checked((uint)ParseUInt64(data)),
        MySqlValueKind.Int64 => ParseInt64(data),
        MySqlValueKind.UInt64 => ParseUInt64(data),
        MySqlValueKind.Single => ParseSingle(data),
        MySqlValueKind.Double => ParseDouble(data),
        MySqlValueKind.Decimal => ParseDecimal(data),
        MySqlValueKind.DateTime => ParseDateTime(data),
        MySqlValueKind.Time => ParseTime(data),
        MySqlValueKind.Year => (int)ParseInt64(data),
        MySqlValueKind.Bit => ParseBit(data),
        MySqlValueKind.Bytes => data.ToArray(),
        MySqlValueKind.Null => null,
        _ => (encoding ?? CharacterSets.Utf8).GetString(data),
    };

    public static long ParseInt64(ReadOnlySpan<byte> data)
    {
        if (!Utf8Parser.TryParse(data, out long value, out var consumed) || consumed != data.Length)
        {
            throw Invalid("integer", data);
        }

        return value;
    }

    public static ulong ParseUInt64(ReadOnlySpan<byte> data)
    {
        if (!Utf8Parser.TryParse(data, out ulong value, out var consumed) || consumed != data.Length)
        {
            throw Invalid("unsigned integer", data);
        }

        return value;
    }

    public static double ParseDouble(ReadOnlySpan<byte> data)
    {
        if (!double.TryParse(data, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw Invalid("double", data);
        }

        return value;
    }

    public static float ParseSingle(ReadOnlySpan<byte> data)
    {
        if (!float.TryParse(data, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
        {
            throw Invalid("float", data);
        }

        return value;
    }

    /// <summary>Parses DECIMAL text keeping its scale; refuses values a <see cref="decimal"/> would round.</summary>
    public static decimal ParseDecimal(ReadOnlySpan<byte> data)
    {
        var significant = 0;
        var leading = true;
        foreach (var b in data)
        {
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                if (b != '0' || !leading)
                {
                    leading = false;
                    significant++;
                }
            }
            else if (b != '.' && b != '-' && b != '+')
            {
                throw Invalid("decimal", data);
            }
        }

        if (significant > MaxDecimalDigits)
        {
            throw new MySqlProtocolException($"DECIMAL value with {significant} significant digits exceeds System.Decimal precision; read it as a string.");
        }

        if (!decimal.TryParse(data, NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
        {
            throw Invalid("decimal", data);
        }

        return value;
    }

    /// <summary>"YYYY-MM-DD" or "YYYY-MM-DD hh:mm:ss[.ffffff]".</summary>
    public static MySqlDateTime ParseDateTime(ReadOnlySpan<byte> data)
    {
        if (data.Length != 10 && (data.Length < 19 || data.Length == 20 || data.Length > 26) ||
            data[4] != '-' || data[7] != '-')
        {
            throw Invalid("date", data);
        }

        var year = Digits(data, 0, 4);
        var month = Digits(data, 5, 2);
        var day = Digits(data, 8, 2);
        if (data.Length == 10)
        {
            return new MySqlDateTime(year, month, day, 0, 0, 0, 0);
        }

        if (data[10] != ' ' || data[13] != ':' || data[16] != ':')
        {
            throw Invalid("datetime", data);
        }

        var micro = data.Length > 19 ? Fraction(data[19..]) : 0;
        return new MySqlDateTime(year, month, day, Digits(data, 11, 2), Digits(data, 14, 2), Digits(data, 17, 2), micro);
    }

    /// <summary>"[-]h+:mm:ss[.ffffff]"; hours may exceed 24 (up to 838).</summary>
    public static TimeSpan ParseTime(ReadOnlySpan<byte> data)
    {
        var negative = data.Length > 0 && data[0] == '-';
        var span = negative ? data[1..] : data;
        var firstColon = span.IndexOf((byte)':');
        if (firstColon < 1 || span.Length < firstColon + 6 || span[firstColon + 3] != ':')
        {
            throw Invalid("time", data);
        }

        var hours = Digits(span, 0, firstColon);
        var minutes = Digits(span, firstColon + 1, 2);
        var seconds = Digits(span, firstColon + 4, 2);
        var rest = span[(firstColon + 6)..];
        var micro = rest.Length > 0 ? Fraction(rest) : 0;
        var ticks = (((hours * 60L) + minutes) * 60 + seconds) * TimeSpan.TicksPerSecond + micro * 10L;
        return new TimeSpan(negative ? -ticks : ticks);
    }

    /// <summary>BIT values arrive as big-endian bytes.</summary>
    public static ulong ParseBit(ReadOnlySpan<byte> data)
    {
        if (data.Length > 8)
        {
            throw Invalid("bit", data);
        }

        ulong value = 0;
        foreach (var b in data)
        {
            value = (value << 8) | b;
        }

        return value;
    }

    private static int Fraction(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2 || data.Length > 7 || data[0] != '.')
        {
            throw Invalid("fraction", data);
        }

        var digits = data.Length - 1;
        var value = Digits(data, 1, digits);
        for (var i = digits; i < 6; i++)
        {
            value *= 10;
        }

        return value;
    }

    private static int Digits(ReadOnlySpan<byte> data, int start, int count)
    {
        if (count > 9)
        {
            throw Invalid("number", data);
        }

        var value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = data[i] - '0';
            if ((uint)d > 9)
            {
                throw Invalid("number", data);
            }

            value = (value * 10) + d;
        }

        return value;
    }

    private static FormatException Invalid(string what, ReadOnlySpan<byte> data) =>
        new($"Invalid {what} value in text row: '{Encoding.ASCII.GetString(data[..Math.Min(data.Length, 64)])}'.");
}
