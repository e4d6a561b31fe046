using ShadowCopy.MySql.Protocol.Binlog;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Binlog;

/// <summary>MySQL binary JSON documents written by hand from sql/json_binary.h.</summary>
public sealed class JsonBinaryTests
{
    [Theory]
    [InlineData("04 00", "null")]
    [InlineData("04 01", "true")]
    [InlineData("04 02", "false")]
    [InlineData("05 ff ff", "-1")]
    [InlineData("06 ff ff", "65535")]
    [InlineData("07 00 00 00 80", "-2147483648")]
    [InlineData("08 ff ff ff ff", "4294967295")]
    [InlineData("09 00 00 00 00 00 00 00 80", "-9223372036854775808")]
    [InlineData("0a ff ff ff ff ff ff ff ff", "18446744073709551615")]
    [InlineData("0b 00 00 00 00 00 00 f8 3f", "1.5")]
    [InlineData("0b 00 00 00 00 00 00 00 40", "2.0")]
    [InlineData("0c 05 68 c3 a9 22 5c", "\"hé\\\"\\\\\"")]
    [InlineData("0c 02 0a 01", "\"\\n\\u0001\"")]
    [InlineData("", "null")]
    public void ToJson_scalars_render_like_mysql(string hex, string expected)
    {
        Assert.Equal(expected, JsonBinary.ToJson(Hex.Bytes(hex)));
    }

    [Fact]
    public void ToJson_small_object_with_nested_array()
    {
        Assert.Equal("{\"a\": 1, \"b\": [true, \"x\"]}", JsonBinary.ToJson(Hex.Bytes(RowsEventTests.JsonDocument)));
    }

    [Fact]
    public void ToJson_large_array_inlines_int32_and_references_strings()
    {
        // large array: count(4), size(4), entries (type + 4-byte value/offset): int32 inline, uint32 inline, string at offset 23
        var doc = "03  03 00 00 00  19 00 00 00  07 fe ff ff ff  08 05 00 00 00  0c 17 00 00 00  01 7a";
        Assert.Equal("[-2, 5, \"z\"]", JsonBinary.ToJson(Hex.Bytes(doc)));
    }

    [Fact]
    public void ToJson_large_object_with_empty_array_value()
    {
        // large object, 1 key "k" -> small empty array; header 8, key entry 6, value entry 5, key at 19, array at 20 (4 bytes)
        var doc = "01  01 00 00 00  18 00 00 00  13 00 00 00 01 00  02 14 00 00 00  6b  00 00 04 00";
        Assert.Equal("{\"k\": []}", JsonBinary.ToJson(Hex.Bytes(doc)));
    }

    [Fact]
    public void ToJson_opaque_decimal_date_datetime_time_and_other()
    {
        // DECIMAL(5,2) -123.45: precision, scale, binary decimal
        Assert.Equal("-123.45", JsonBinary.ToJson(Hex.Bytes("0f f6 05 05 02 7f 84 d2")));
        // packed DATETIME 2024-02-29 12:34:56.5 = ((ymd << 17 | hms) << 24) + 500000
        var intPart = ((((2024L * 13) + 2) << 5 | 29) << 17) | (12L << 12) | (34L << 6) | 56;
        var packed = BitConverter.GetBytes((intPart << 24) + 500000);
        Assert.Equal("\"2024-02-29 12:34:56.500000\"", JsonBinary.ToJson([0x0f, 0x0c, 0x08, .. packed]));
        Assert.Equal("\"2024-02-29\"", JsonBinary.ToJson([0x0f, 0x0a, 0x08, .. BitConverter.GetBytes(intPart << 24)]));
        var time = BitConverter.GetBytes(-(((1L << 12) | (2L << 6) | 3) << 24));
        Assert.Equal("\"-01:02:03.000000\"", JsonBinary.ToJson([0x0f, 0x0b, 0x08, .. time]));
        Assert.Equal("\"base64:type252:AQI=\"", JsonBinary.ToJson(Hex.Bytes("0f fc 02 01 02")));
    }

    [Theory]
    [InlineData("00 02 00 40 00")]
    [InlineData("05 01")]
    [InlineData("0c 05 61")]
    [InlineData("0c ff ff ff ff ff")]
    [InlineData("04 07")]
    [InlineData("0d 00")]
    [InlineData("02 01 00 07 00 0c 09 00")]
    public void ToJson_malformed_documents_throw_format(string hex)
    {
        Assert.Throws<FormatException>(() => JsonBinary.ToJson(Hex.Bytes(hex)));
    }
}
