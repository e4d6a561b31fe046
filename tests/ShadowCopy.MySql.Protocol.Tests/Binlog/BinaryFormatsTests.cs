using ShadowCopy.MySql.Protocol.Binlog;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Binlog;

public sealed class BinaryFormatsTests
{
    [Theory]
    [InlineData("81 0d fb 38 d2 04 d2", 14, 4, "1234567890.1234")] // the decimal2bin example of the MySQL source
    [InlineData("7e f2 04 c7 2d fb 2d", 14, 4, "-1234567890.1234")]
    [InlineData("80 00 00 00 00", 10, 2, "0.00")]
    [InlineData("80 00 00 00 01", 10, 0, "1")]
    [InlineData("80 00 00 00 00 00 00 00 01", 18, 6, "0.000001")]
    [InlineData("80 00 00 00 00 00 00 00 00 01", 20, 6, "0.000001")]
    public void BinaryDecimal_documented_vectors_decode_with_scale(string hex, int precision, int scale, string expected)
    {
        var bytes = Hex.Bytes(hex);
        Assert.Equal(bytes.Length, BinaryDecimal.GetSize(precision, scale));
        Assert.Equal(expected, BinaryDecimal.ToText(bytes, precision, scale));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), BinaryDecimal.ToDecimal(bytes, precision, scale));
        Assert.Equal(expected, BinaryDecimal.ToDecimal(bytes, precision, scale).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void BinaryDecimal_65_digits_decodes_as_text_and_refuses_decimal()
    {
        var bytes = new byte[BinaryDecimal.GetSize(65, 30)];
        Array.Fill(bytes, (byte)0x00);
        bytes[0] = 0x80 | 0x01;
        Assert.StartsWith("1", BinaryDecimal.ToText(bytes, 65, 30), StringComparison.Ordinal);
        Assert.Throws<MySqlProtocolException>(() => BinaryDecimal.ToDecimal(bytes, 65, 30));
    }

    [Fact]
    public void BinaryDecimal_group_out_of_range_throws_format()
    {
        Assert.Throws<FormatException>(() => BinaryDecimal.ToDecimal(Hex.Bytes("80 ff ff ff ff"), 10, 2));
    }

    [Theory]
    [InlineData("99 b2 ba c8 b8 01 e2 40", 6, 2024, 2, 29, 12, 34, 56, 123456)]
    [InlineData("80 00 00 00 00", 0, 0, 0, 0, 0, 0, 0, 0)]
    [InlineData("80 00 00 00 00 00", 1, 0, 0, 0, 0, 0, 0, 0)]
    public void DateTime2_decodes(string hex, int fsp, int y, int mo, int d, int h, int mi, int s, int us)
    {
        Assert.Equal(new MySqlDateTime(y, mo, d, h, mi, s, us), BinlogTemporal.ReadDateTime2(Hex.Bytes(hex), fsp));
    }

    [Theory]
    [InlineData("4b 91 05 f0 bd c1", 6, -((838L * 3600 + 59 * 60 + 58) * 1_000_000 + 999_999))]
    [InlineData("7f ff ff ce", 2, -500_000L)]
    [InlineData("7f 37 48", 0, -((12L * 3600 + 34 * 60 + 56) * 1_000_000))]
    [InlineData("81 90 00 01", 2, (25L * 3600 * 1_000_000) + 10_000)]
    [InlineData("80 00 00 00 00", 3, 0L)]
    public void Time2_decodes_negative_and_large(string hex, int fsp, long microseconds)
    {
        Assert.Equal(TimeSpan.FromTicks(microseconds * 10), BinlogTemporal.ReadTime2(Hex.Bytes(hex), fsp));
    }

    [Fact]
    public void Timestamp2_zero_is_zero_date_and_fraction_is_kept()
    {
        Assert.True(BinlogTemporal.ReadTimestamp2(Hex.Bytes("00 00 00 00"), 0).IsZero);
        Assert.Equal(new MySqlDateTime(2023, 11, 14, 22, 13, 20, 500000), BinlogTemporal.ReadTimestamp2(Hex.Bytes("65 53 f1 00 07 a1 20"), 6));
    }

    [Fact]
    public void Old_temporal_formats_decode()
    {
        // DATE 2024-02-29: day | month << 5 | year << 9, little-endian
        var date = (2024 << 9) | (2 << 5) | 29;
        Assert.Equal(new MySqlDateTime(2024, 2, 29, 0, 0, 0, 0), BinlogTemporal.ReadDate([(byte)date, (byte)(date >> 8), (byte)(date >> 16)]));
        Assert.Equal(new MySqlDateTime(2024, 2, 29, 12, 34, 56, 0), BinlogTemporal.ReadOldDateTime(BitConverter.GetBytes(20240229123456UL)));
        var time = -123456;
        Assert.Equal(-new TimeSpan(12, 34, 56), BinlogTemporal.ReadOldTime([(byte)time, (byte)(time >> 8), (byte)(time >> 16)]));
    }

    [Fact]
    public void Corrupt_temporal_values_throw_format()
    {
        Assert.Throws<FormatException>(() => BinlogTemporal.ReadDateTime2(Hex.Bytes("ff ff ff ff ff"), 0));
        Assert.Throws<FormatException>(() => BinlogTemporal.ReadDateTime2(Hex.Bytes("80 00 00 00 00 ff ff ff"), 6));
        Assert.Throws<FormatException>(() => BinlogTemporal.ReadTime2(Hex.Bytes("80 0f ff"), 0));
    }
}
