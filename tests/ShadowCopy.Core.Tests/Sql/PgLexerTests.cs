using System.Text;
using ShadowCopy.Core.Sql;

namespace ShadowCopy.Core.Tests.Sql;

public sealed class PgLexerTests
{
    public static TheoryData<string> Samples => new()
    {
        string.Empty,
        " ",
        "ADD COLUMN note text",
        "ALTER COLUMN n TYPE bigint USING n::bigint, ADD CONSTRAINT c CHECK (n > 0)",
        "-- line comment\nADD COLUMN x int -- trailing",
        "/* block */ ADD /* nested /* deeper */ still */ COLUMN x int",
        "/* unterminated",
        "/* nested /* unterminated */",
        "DEFAULT 'it''s'",
        "DEFAULT E'back\\\\slash \\' quote'",
        "DEFAULT e'\\n'",
        "DEFAULT E'\\",
        "DEFAULT 'unterminated",
        "DEFAULT $$dollar ' \" -- /* $$",
        "DEFAULT $tag$ $notag$ body $tag$ AFTER",
        "DEFAULT $tag$ unterminated",
        "ADD COLUMN \"we\"\"ird col\" int",
        "ADD COLUMN \"unterminated",
        "$1 $2::text $_a$x$_a$ $",
        "1.5e10 .5 10_000 0x1F",
        "Größe 😀 日本語 int",
        "a;b;;c",
        "\t\r\n\u00a0\u2028",
        "E",
        "'",
        "\"",
        "$",
        "-",
        "/",
        "*/",
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Tokenize_then_Join_gives_back_the_input(string sql)
    {
        AssertRoundTrip(sql);
    }

    [Theory]
    [InlineData("/* a /* b */ c */x", SqlTokenKind.Comment, "/* a /* b */ c */")]
    [InlineData("-- c\nx", SqlTokenKind.Comment, "-- c")]
    [InlineData("E'a\\'b' x", SqlTokenKind.String, "E'a\\'b'")]
    [InlineData("'a\\' x", SqlTokenKind.String, "'a\\'")]
    [InlineData("'it''s' x", SqlTokenKind.String, "'it''s'")]
    [InlineData("$fn$ a $ b $$ c $fn$ x", SqlTokenKind.String, "$fn$ a $ b $$ c $fn$")]
    [InlineData("$$x$$ y", SqlTokenKind.String, "$$x$$")]
    [InlineData("\"a\"\"b\" x", SqlTokenKind.QuotedIdentifier, "\"a\"\"b\"")]
    [InlineData("abc$1 x", SqlTokenKind.Word, "abc$1")]
    [InlineData("$1 x", SqlTokenKind.Punctuation, "$")]
    [InlineData("12.5 x", SqlTokenKind.Number, "12.5")]
    [InlineData("Éa x", SqlTokenKind.Word, "Éa")]
    public void Tokenize_first_token_has_the_expected_kind_and_extent(string sql, SqlTokenKind kind, string text)
    {
        var first = PgLexer.Tokenize(sql)[0];

        Assert.Equal(kind, first.Kind);
        Assert.Equal(text, first.Text);
    }

    [Fact]
    public void IdentifierValue_folds_words_and_unescapes_quoted_identifiers()
    {
        var tokens = PgLexer.Tokenize("MyTable \"My\"\"Table\" 'str' ÄPFEL").Where(t => !t.IsTrivia).ToList();

        Assert.Equal("mytable", tokens[0].IdentifierValue);
        Assert.Equal("My\"Table", tokens[1].IdentifierValue);
        Assert.Null(tokens[2].IdentifierValue);
        Assert.Equal("Äpfel", tokens[3].IdentifierValue);
    }

    [Fact]
    public void Tokenize_random_sql_like_strings_round_trip_and_never_throw()
    {
        const string alphabet = "'\"$Ee/*-\n\\ab1_.;é😀 \t()";
        var random = new Random(20261121);
        for (var n = 0; n < 5000; n++)
        {
            var builder = new StringBuilder();
            var length = random.Next(0, 40);
            for (var i = 0; i < length; i++)
            {
                builder.Append(alphabet[random.Next(alphabet.Length)]);
            }

            var sql = builder.ToString();
            AssertRoundTrip(sql);
        }
    }

    [Fact]
    public void Tokenize_random_byte_garbage_round_trips_and_never_throws()
    {
        var random = new Random(7);
        for (var n = 0; n < 2000; n++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            foreach (var sql in new[] { Encoding.UTF8.GetString(bytes), Encoding.Latin1.GetString(bytes), new string(bytes.Select(b => (char)(b | (b << 8))).ToArray()) })
            {
                AssertRoundTrip(sql);
            }
        }
    }

    /// <summary>Join gives back the input; tokens are non-empty, in order, and cover it without gaps.</summary>
    private static void AssertRoundTrip(string sql)
    {
        var tokens = PgLexer.Tokenize(sql);
        Assert.Equal(sql, PgLexer.Join(tokens));
        var offset = 0;
        foreach (var token in tokens)
        {
            Assert.NotEqual(0, token.Text.Length);
            Assert.Equal(offset, token.Offset);
            Assert.Equal(sql.Substring(offset, token.Text.Length), token.Text);
            offset += token.Text.Length;
        }

        Assert.Equal(sql.Length, offset);
    }
}
