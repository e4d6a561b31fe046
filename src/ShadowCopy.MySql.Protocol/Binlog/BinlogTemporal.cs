using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// Binlog temporal encodings: the MySQL 5.6.4+ "2" formats (big-endian, with fractional bytes per fsp)
/// and the older DATE/TIME/DATETIME/TIMESTAMP forms (MySQL source, my_time.cc "packed" formats).
/// </summary>
internal static class BinlogTemporal
{
    private const long DateTimeIntOffset = 0x80_0000_0000;
    private const int TimeIntOffset = 0x80_0000;
    private const long TimeOffset = 0x8000_0000_0000;

    public static int FractionBytes(int fsp) => (fsp + 1) / 2;

    /// <summary>DATETIME2: 40-bit big-endian (sign, year*13+month, day, hour, minute, second) + fraction.</summary>
    public static MySqlDateTime ReadDateTime2(ReadOnlySpan<byte> data, int fsp)
    {
        var reader = new PacketReader(data);
        var intPart = (long)reader.ReadBigEndianUInt(5) - DateTimeIntOffset;
        var micro = ReadFraction(ref reader, fsp);
        if (intPart < 0)
        {
            throw new FormatException("Negative DATETIME2 value.");
        }

        return FromPackedDateTime(intPart, micro);
    }

    /// <summary>TIMESTAMP2: big-endian seconds since the epoch (UTC) + fraction; 0 is the zero timestamp.</summary>
    public static MySqlDateTime ReadTimestamp2(ReadOnlySpan<byte> data, int fsp)
    {
        var reader = new PacketReader(data);
        var seconds = (long)reader.ReadBigEndianUInt(4);
        var micro = ReadFraction(ref reader, fsp);
        return FromUnixSeconds(seconds, micro);
    }

    /// <summary>TIME2: 24-bit big-endian offset integer part + signed fraction (my_time_packed_from_binary).</summary>
    public static TimeSpan ReadTime2(ReadOnlySpan<byte> data, int fsp)
    {
        var reader = new PacketReader(data);
        long packed;
        switch (fsp)
        {
            case 0:
                packed = ((long)reader.ReadBigEndianUInt(3) - TimeIntOffset) << 24;
                break;
            case 1 or 2:
            {
                long intPart = (long)reader.ReadBigEndianUInt(3) - TimeIntOffset;
                long frac = reader.ReadByte();
                if (intPart < 0 && frac != 0)
                {
                    intPart++;
                    frac -= 0x100;
                }

                packed = (intPart << 24) + (frac * 10_000);
                break;
            }

            case 3 or 4:
            {
                long intPart = (long)reader.ReadBigEndianUInt(3) - TimeIntOffset;
                long frac = (long)reader.ReadBigEndianUInt(2);
                if (intPart < 0 && frac != 0)
                {
                    intPart++;
                    frac -= 0x10000;
                }

                packed = (intPart << 24) + (frac * 100);
                break;
            }

            case 5 or 6:
                packed = (long)reader.ReadBigEndianUInt(6) - TimeOffset;
                break;
            default:
                throw new FormatException($"Invalid TIME2 precision {fsp}.");
        }

        return FromPackedTime(packed);
    }

    /// <summary>Packed TIME (also used by JSON opaque values): sign, then (hour:10, minute:6, second:6) &lt;&lt; 24 | microseconds.</summary>
    public static TimeSpan FromPackedTime(long packed)
    {
        var negative = packed < 0;
        if (negative)
        {
            packed = -packed;
        }

        var hms = packed >> 24;
        var micro = packed % (1 << 24);
        var hour = (hms >> 12) % (1 << 10);
        var minute = (hms >> 6) % (1 << 6);
        var second = hms % (1 << 6);
        if (minute > 59 || second > 59 || micro > 999_999)
        {
            throw new FormatException("Corrupt TIME value.");
        }

        var ticks = ((((hour * 60) + minute) * 60) + second) * TimeSpan.TicksPerSecond + (micro * 10);
        return new TimeSpan(negative ? -ticks : ticks);
    }

    /// <summary>Packed DATETIME integer part (year*13+month &lt;&lt; 22 | day &lt;&lt; 17 | hms) and microseconds.</summary>
    public static MySqlDateTime FromPackedDateTime(long intPart, long micro)
    {
        var ymd = intPart >> 17;
        var ym = ymd >> 5;
        var hms = intPart % (1 << 17);
        var value = new MySqlDateTime((int)(ym / 13), (int)(ym % 13), (int)(ymd % (1 << 5)), (int)(hms >> 12), (int)((hms >> 6) % (1 << 6)), (int)(hms % (1 << 6)), (int)micro);
        if (value.Month > 12 || value.Hour > 23 || value.Minute > 59 || value.Second > 59 || value.Year > 9999)
        {
            throw new FormatException($"Corrupt DATETIME value {value}.");
        }

        return value;
    }

    /// <summary>DATE: 3 bytes little-endian, day:5 | month:4 | year:15.</summary>
    public static MySqlDateTime ReadDate(ReadOnlySpan<byte> data)
    {
        var value = data[0] | (data[1] << 8) | (data[2] << 16);
        var date = new MySqlDateTime(value >> 9, (value >> 5) & 15, value & 31, 0, 0, 0, 0);
        if (date.Month > 12)
        {
            throw new FormatException($"Corrupt DATE value {date}.");
        }

        return date;
    }

    /// <summary>Old TIME: signed 3-byte little-endian integer HHMMSS.</summary>
    public static TimeSpan ReadOldTime(ReadOnlySpan<byte> data)
    {
        var value = data[0] | (data[1] << 8) | (data[2] << 16);
        if ((value & 0x80_0000) != 0)
        {
            value |= unchecked((int)0xFF00_0000);
        }

        var negative = value < 0;
        var abs = Math.Abs(value);
        var ticks = ((((abs / 10000) * 60L) + (abs / 100 % 100)) * 60 + (abs % 100)) * TimeSpan.TicksPerSecond;
        return new TimeSpan(negative ? -ticks : ticks);
    }

    /// <summary>Old DATETIME: 8-byte little-endian integer YYYYMMDDhhmmss.</summary>
    public static MySqlDateTime ReadOldDateTime(ReadOnlySpan<byte> data)
    {
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(data);
        var date = value / 1_000_000;
        var time = value % 1_000_000;
        return new MySqlDateTime((int)(date / 10000), (int)(date / 100 % 100), (int)(date % 100), (int)(time / 10000), (int)(time / 100 % 100), (int)(time % 100), 0);
    }

    public static MySqlDateTime FromUnixSeconds(long seconds, long micro)
    {
        if (seconds == 0 && micro == 0)
        {
            return MySqlDateTime.Zero;
        }

        var utc = DateTime.UnixEpoch.AddSeconds(seconds);
        return new MySqlDateTime(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, utc.Second, (int)micro);
    }

    private static long ReadFraction(ref PacketReader reader, int fsp)
    {
        return fsp switch
        {
            0 => 0,
            1 or 2 => Check((long)reader.ReadByte() * 10_000),
            3 or 4 => Check((long)reader.ReadBigEndianUInt(2) * 100),
            5 or 6 => Check((long)reader.ReadBigEndianUInt(3)),
            _ => throw new FormatException($"Invalid fractional precision {fsp}."),
        };

        static long Check(long micro) => micro < 1_000_000 ? micro : throw new FormatException("Corrupt fractional seconds.");
    }
}
