using ShadowCopy.MySql.Protocol.Payloads;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Values;

public sealed class TextValueDecodingTests
{
    private const MySqlColumnFlags Unsigned = MySqlColumnFlags.Unsigned;

    public static TheoryData<MySqlColumnType, MySqlColumnFlags, ushort, string, object> Cases => new()
    {
        { MySqlColumnType.Tiny, 0, 63, "-128", (sbyte)-128 },
        { MySqlColumnType.Tiny, Unsigned, 63, "255", (byte)255 },
        { MySqlColumnType.Short, 0, 63, "-32768", (short)-32768 },
        { MySqlColumnType.Short, Unsigned, 63, "65535", (ushort)65535 },
        { MySqlColumnType.Int24, 0, 63, "-8388608", -8388608 },
        { MySqlColumnType.Int24, Unsigned, 63, "16777215", 16777215 },
        { MySqlColumnType.Long, 0, 63, "-2147483648", int.MinValue },
        { MySqlColumnType.Long, Unsigned, 63, "4294967295", uint.MaxValue },
        { MySqlColumnType.LongLong, 0, 63, "-9223372036854775808", long.MinValue },
        { MySqlColumnType.LongLong, Unsigned, 63, "18446744073709551615", ulong.MaxValue },
        { MySqlColumnType.Float, 0, 63, "-1.5", -1.5f },
        { MySqlColumnType.Double, 0, 63, "2.2250738585072014e-308", 2.2250738585072014E-308 },
        { MySqlColumnType.Year, Unsigned, 63, "2155", 2155 },
        { MySqlColumnType.Bit, Unsigned, 63, "\u0003\u00ff", 0x03FFUL },
        { MySqlColumnType.VarString, 0, 45, "emoji 😀", "emoji 😀" },
        { MySqlColumnType.String, MySqlColumnFlags.Enum, 45, "c d", "c d" },
        { MySqlColumnType.String, MySqlColumnFlags.Set, 45, "x,z", "x,z" },
        { MySqlColumnType.Json, 0, 63, "{\"a\": 1}", "{\"a\": 1}" },
        { MySqlColumnType.Blob, MySqlColumnFlags.Binary, 63, "ab", new byte[] { 0x61, 0x62 } },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_text_value_by_type_signedness_and_charset(MySqlColumnType type, MySqlColumnFlags flags, ushort collation, string text, object expected)
    {
        var row = DecodeOne(type, flags, collation, text);
        Assert.Equal(expected, row.GetValue(0));
        Assert.Equal(expected.GetType(), row.GetValue(0)!.GetType());
    }

    [Fact]
    public void Decode_decimal_keeps_scale()
    {
        var value = (decimal)DecodeOne(MySqlColumnType.NewDecimal, 0, 63, "-12.500").GetValue(0)!;
        Assert.Equal(-12.500m, value);
        Assert.Equal("-12.500", value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Decode_decimal_beyond_system_decimal_precision_refuses_instead_of_rounding()
    {
        var row = DecodeOne(MySqlColumnType.NewDecimal, 0, 63, "0.123456789012345678901234567890");
        Assert.Throws<MySqlProtocolException>(() => row.GetValue(0));
        Assert.Equal("0.123456789012345678901234567890", System.Text.Encoding.ASCII.GetString(row.GetRaw(0)));
    }

    [Theory]
    [InlineData("2024-02-29 12:34:56.123456", 2024, 2, 29, 12, 34, 56, 123456)]
    [InlineData("2024-02-29 12:34:56.1", 2024, 2, 29, 12, 34, 56, 100000)]
    [InlineData("9999-12-31 23:59:59", 9999, 12, 31, 23, 59, 59, 0)]
    [InlineData("0000-00-00 00:00:00", 0, 0, 0, 0, 0, 0, 0)]
    [InlineData("2024-00-00", 2024, 0, 0, 0, 0, 0, 0)]
    public void Decode_datetime_keeps_fraction_and_zero_dates(string text, int y, int mo, int d, int h, int mi, int s, int us)
    {
        var value = (MySqlDateTime)DecodeOne(MySqlColumnType.DateTime, 0, 63, text).GetValue(0)!;
        Assert.Equal(new MySqlDateTime(y, mo, d, h, mi, s, us), value);
        Assert.Equal(y == 0 && mo == 0, value.IsZero);
        Assert.Equal(value.IsValidDateTime, y > 0 && mo > 0);
    }

    [Theory]
    [InlineData("838:59:59", 838, 59, 59, 0, false)]
    [InlineData("-838:59:58.999999", 838, 59, 58, 999999, true)]
    [InlineData("-00:00:00.500000", 0, 0, 0, 500000, true)]
    [InlineData("25:00:00.01", 25, 0, 0, 10000, false)]
    public void Decode_time_negative_and_beyond_24_hours(string text, int h, int m, int s, int us, bool negative)
    {
        var value = (TimeSpan)DecodeOne(MySqlColumnType.Time, 0, 63, text).GetValue(0)!;
        var expected = new TimeSpan(0, h, m, s) + TimeSpan.FromTicks(us * 10L);
        Assert.Equal(negative ? -expected : expected, value);
    }

    [Theory]
    [InlineData(MySqlColumnType.Long, "12a")]
    [InlineData(MySqlColumnType.Long, "")]
    [InlineData(MySqlColumnType.DateTime, "2024-02-29X12:34:56")]
    [InlineData(MySqlColumnType.DateTime, "2024-2-29")]
    [InlineData(MySqlColumnType.Time, "12:3")]
    [InlineData(MySqlColumnType.NewDecimal, "1e5")]
    [InlineData(MySqlColumnType.Double, "abc")]
    public void Decode_malformed_text_throws_format(MySqlColumnType type, string text)
    {
        var row = DecodeOne(type, 0, 63, text);
        Assert.Throws<FormatException>(() => row.GetValue(0));
    }

    [Fact]
    public void Decode_null_marker_is_null_and_row_with_trailing_bytes_is_rejected()
    {
        var columns = new[] { ColumnDefinitionPayload.Parse(Packets.Column("a", MySqlColumnType.Long)), ColumnDefinitionPayload.Parse(Packets.Column("b", MySqlColumnType.VarString)) };
        var decoder = new TextRowDecoder(columns);
        var row = decoder.Decode(Packets.Row(null, "x"));
        Assert.True(row.IsNull(0));
        Assert.Null(row[0]);
        Assert.Equal("x", row.GetString(1));
        Assert.Throws<FormatException>(() => decoder.Decode([.. Packets.Row("1", "x"), 0x00]));
        Assert.Throws<FormatException>(() => decoder.Decode(Packets.Row("1")));
    }

    [Fact]
    public void Decode_latin1_column_uses_windows_1252()
    {
        var columns = new[] { ColumnDefinitionPayload.Parse(Packets.Column("a", MySqlColumnType.VarString, collation: 8)) };
        var row = new TextRowDecoder(columns).Decode([0x02, 0xE9, 0x80]);
        Assert.Equal("é€", row.GetValue(0));
    }

    private static MySqlRow DecodeOne(MySqlColumnType type, MySqlColumnFlags flags, ushort collation, string text)
    {
        var column = ColumnDefinitionPayload.Parse(Packets.Column("c", type, collation, flags));
        var bytes = type == MySqlColumnType.Bit ? text.Select(c => (byte)c).ToArray() : System.Text.Encoding.UTF8.GetBytes(text);
        var payload = new ShadowCopy.MySql.Protocol.Serialization.PacketWriter();
        payload.WriteLengthEncodedBytes(bytes);
        return new TextRowDecoder([column]).Decode(payload.WrittenSpan);
    }
}
