using System.Globalization;
using System.Text;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// MySQL's binary DECIMAL (decimal2bin): groups of 9 digits in 4 big-endian bytes, a partial leading and
/// trailing group in fewer bytes, sign in the top bit of the first byte (cleared = negative, and then every
/// byte is inverted).
/// </summary>
internal static class BinaryDecimal
{
    private static readonly int[] DigitsToBytes = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];
    private static readonly uint[] Powers = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
    private static readonly UInt128 DecimalMax = ((UInt128)uint.MaxValue << 64) | ((UInt128)uint.MaxValue << 32) | uint.MaxValue;

    public static int GetSize(int precision, int scale)
    {
        var intg = precision - scale;
        return ((intg / 9) * 4) + DigitsToBytes[intg % 9] + ((scale / 9) * 4) + DigitsToBytes[scale % 9];
    }

    public static decimal ToDecimal(ReadOnlySpan<byte> data, int precision, int scale)
    {
        Span<byte> buffer = stackalloc byte[32];
        var negative = Prepare(data, precision, scale, buffer, out var size);
        var bytes = buffer[..size];
        UInt128 mantissa = 0;
        var offset = 0;
        var intg = precision - scale;
        var fullGroups = (intg / 9) + (scale / 9);
        if (intg % 9 > 0)
        {
            Accumulate(ref mantissa, ReadGroup(bytes, ref offset, intg % 9), intg % 9, precision, scale);
        }

        for (var i = 0; i < fullGroups; i++)
        {
            Accumulate(ref mantissa, ReadGroup(bytes, ref offset, 9), 9, precision, scale);
        }

        if (scale % 9 > 0)
        {
            Accumulate(ref mantissa, ReadGroup(bytes, ref offset, scale % 9), scale % 9, precision, scale);
        }

        if (scale > 28)
        {
            throw new MySqlProtocolException($"DECIMAL scale {scale} exceeds System.Decimal's 28.");
        }

        return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), (int)(uint)(mantissa >> 64), negative, (byte)scale);
    }

    private static void Accumulate(ref UInt128 mantissa, uint group, int digits, int precision, int scale)
    {
        mantissa = (mantissa * Powers[digits]) + group;
        if (mantissa > DecimalMax)
        {
            throw new MySqlProtocolException($"DECIMAL({precision},{scale}) value exceeds System.Decimal range; read it as text.");
        }
    }

    /// <summary>Exact text (any precision up to 65), e.g. "-12.50".</summary>
    public static string ToText(ReadOnlySpan<byte> data, int precision, int scale)
    {
        Span<byte> buffer = stackalloc byte[32];
        var negative = Prepare(data, precision, scale, buffer, out var size);
        var bytes = buffer[..size];
        var integerPart = new StringBuilder();
        var fraction = new StringBuilder();
        var offset = 0;
        var intg = precision - scale;
        var consumedIntegerDigits = 0;
        foreach (var digits in Groups(precision, scale))
        {
            var group = ReadGroup(bytes, ref offset, digits);
            var text = group.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
            if (consumedIntegerDigits < intg)
            {
                integerPart.Append(text);
                consumedIntegerDigits += digits;
            }
            else
            {
                fraction.Append(text);
            }
        }

        var integer = integerPart.ToString().TrimStart('0');
        if (integer.Length == 0)
        {
            integer = "0";
        }

        var result = scale > 0 ? integer + "." + fraction : integer;
        return negative ? "-" + result : result;
    }

    private static bool Prepare(ReadOnlySpan<byte> data, int precision, int scale, Span<byte> buffer, out int size)
    {
        size = GetSize(precision, scale);
        if (data.Length < size || size == 0)
        {
            throw new FormatException($"DECIMAL({precision},{scale}) needs {size} bytes, got {data.Length}.");
        }

        data[..size].CopyTo(buffer);
        var negative = (buffer[0] & 0x80) == 0;
        buffer[0] ^= 0x80;
        if (negative)
        {
            for (var i = 0; i < size; i++)
            {
                buffer[i] ^= 0xFF;
            }
        }

        return negative;
    }

    /// <summary>Digit counts of the groups in storage order: partial leading, full integer, full fraction, partial trailing.</summary>
    private static IEnumerable<int> Groups(int precision, int scale)
    {
        var intg = precision - scale;
        if (intg % 9 > 0)
        {
            yield return intg % 9;
        }

        for (var i = 0; i < intg / 9; i++)
        {
            yield return 9;
        }

        for (var i = 0; i < scale / 9; i++)
        {
            yield return 9;
        }

        if (scale % 9 > 0)
        {
            yield return scale % 9;
        }
    }

    private static uint ReadGroup(ReadOnlySpan<byte> bytes, ref int offset, int digits)
    {
        var length = DigitsToBytes[digits];
        uint value = 0;
        for (var i = 0; i < length; i++)
        {
            value = (value << 8) | bytes[offset + i];
        }

        offset += length;
        if (value >= Powers[digits])
        {
            throw new FormatException($"Corrupt DECIMAL group {value} for {digits} digits.");
        }

        return value;
    }
}
