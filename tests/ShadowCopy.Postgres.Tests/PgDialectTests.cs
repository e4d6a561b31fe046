using System.Text;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Postgres.Tests;

public sealed class PgDialectTests
{
    private static readonly PgDialect D = PgDialect.Instance;

    [Theory]
    [InlineData("orders", "\"orders\"")]
    [InlineData("Orders", "\"Orders\"")]
    [InlineData("select", "\"select\"")]
    [InlineData("a\"b", "\"a\"\"b\"")]
    [InlineData("\"", "\"\"\"\"")]
    [InlineData("\"; DROP TABLE users; --", "\"\"\"; DROP TABLE users; --\"")]
    [InlineData("back\\slash", "\"back\\slash\"")]
    [InlineData("it's", "\"it's\"")]
    [InlineData("Größe 😀", "\"Größe 😀\"")]
    [InlineData("$1", "\"$1\"")]
    [InlineData(" spaced ", "\" spaced \"")]
    public void QuoteIdentifier_hostile_names_are_quoted_with_quotes_doubled(string name, string expected)
    {
        Assert.Equal(expected, D.QuoteIdentifier(name));
    }

    [Fact]
    public void QuoteIdentifier_63_byte_name_is_kept_whole()
    {
        var name = new string('x', 61) + "é";
        Assert.Equal(63, Encoding.UTF8.GetByteCount(name));

        Assert.Equal($"\"{name}\"", D.QuoteIdentifier(name));
        Assert.Equal(63, D.MaxIdentifierBytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a\0b")]
    [InlineData("\0")]
    public void QuoteIdentifier_empty_or_NUL_is_rejected(string name)
    {
        Assert.Throws<ArgumentException>(() => D.QuoteIdentifier(name));
    }

    [Theory]
    [InlineData("", "''")]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("''", "''''''")]
    [InlineData("C:\\dir\\", "'C:\\dir\\'")]
    [InlineData("\\'; DROP TABLE users; --", "'\\''; DROP TABLE users; --'")]
    [InlineData("\"quoted\"", "'\"quoted\"'")]
    [InlineData("ünïcødé 😀", "'ünïcødé 😀'")]
    public void QuoteLiteral_quotes_doubled_and_backslashes_left_as_is(string value, string expected)
    {
        Assert.Equal(expected, D.QuoteLiteral(value));
    }

    [Fact]
    public void QuoteLiteral_NUL_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => D.QuoteLiteral("a\0b"));
    }

    [Fact]
    public void Qualified_quotes_both_parts()
    {
        Assert.Equal("\"my schema\".\"Order\"\"Items\"", D.Qualified(new TableName("my schema", "Order\"Items")));
        Assert.Equal("\"public\".\"select\"", D.Qualified("public", "select"));
    }
}
