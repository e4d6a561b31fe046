namespace ShadowCopy.MySql.Protocol.Tests.Values;

public sealed class MySqlEscapingTests
{
    [Theory]
    [InlineData("t", "`t`")]
    [InlineData("a`b", "`a``b`")]
    [InlineData("``", "``````")]
    [InlineData("select", "`select`")]
    [InlineData("naïve 😀", "`naïve 😀`")]
    [InlineData("a'b\"c\\d", "`a'b\"c\\d`")]
    public void QuoteIdentifier_hostile_names_are_backtick_doubled(string name, string expected)
    {
        Assert.Equal(expected, MySqlEscaping.QuoteIdentifier(name));
    }

    [Fact]
    public void QuoteIdentifier_nul_empty_and_lone_surrogate_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => MySqlEscaping.QuoteIdentifier("a\0b"));
        Assert.Throws<ArgumentException>(() => MySqlEscaping.QuoteIdentifier(string.Empty));
        Assert.Throws<ArgumentException>(() => MySqlEscaping.QuoteIdentifier("a\ud800"));
    }

    [Fact]
    public void QuoteIdentifier_64_char_name_is_kept_whole()
    {
        var name = new string('x', 63) + "`";
        Assert.Equal("`" + new string('x', 63) + "```", MySqlEscaping.QuoteIdentifier(name));
    }

    [Theory]
    [InlineData("it's", "'it\\'s'")]
    [InlineData("back\\slash", "'back\\\\slash'")]
    [InlineData("nul\0", "'nul\\0'")]
    [InlineData("\r\n\u001a\"", "'\\r\\n\\Z\\\"'")]
    [InlineData("😀", "'😀'")]
    public void QuoteString_backslash_mode_escapes_specials(string value, string expected)
    {
        Assert.Equal(expected, MySqlEscaping.QuoteString(value, noBackslashEscapes: false));
    }

    [Theory]
    [InlineData("it's", "'it''s'")]
    [InlineData("back\\slash", "'back\\slash'")]
    [InlineData("''", "''''''")]
    public void QuoteString_no_backslash_escapes_doubles_quotes_only(string value, string expected)
    {
        Assert.Equal(expected, MySqlEscaping.QuoteString(value, noBackslashEscapes: true));
    }

    [Fact]
    public void QuoteString_lone_surrogate_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => MySqlEscaping.QuoteString("\udc00", false));
    }

    [Fact]
    public void QuoteBytes_invalid_utf8_becomes_hex_literal()
    {
        Assert.Equal("X'C3FF0027'", MySqlEscaping.QuoteBytes([0xC3, 0xFF, 0x00, 0x27]));
        Assert.Equal("X''", MySqlEscaping.QuoteBytes([]));
        Assert.Equal("_latin1 X'E9'", MySqlEscaping.QuoteBytesAs([0xE9], "latin1"));
        Assert.Throws<ArgumentException>(() => MySqlEscaping.QuoteBytesAs([0xE9], "latin1' OR 1"));
    }

    [Fact]
    public void FormatLiteral_decoded_types_round_trip_to_sql()
    {
        Assert.Equal("NULL", MySqlEscaping.FormatLiteral(null, false));
        Assert.Equal("18446744073709551615", MySqlEscaping.FormatLiteral(ulong.MaxValue, false));
        Assert.Equal("-12.500", MySqlEscaping.FormatLiteral(-12.500m, false));
        Assert.Equal("'0000-00-00 00:00:00.000000'", MySqlEscaping.FormatLiteral(MySqlDateTime.Zero, false));
        Assert.Equal("'-838:59:58.999999'", MySqlEscaping.FormatLiteral(-(new TimeSpan(838, 59, 58) + TimeSpan.FromTicks(9999990)), false));
        Assert.Equal("X'00'", MySqlEscaping.FormatLiteral(new byte[] { 0 }, false));
        Assert.Throws<ArgumentException>(() => MySqlEscaping.FormatLiteral(double.NaN, false));
    }
}
