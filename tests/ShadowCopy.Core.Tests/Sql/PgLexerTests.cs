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
    [InlineData("--x\ny", SqlTokenKind.Comment, "--x")]
    [InlineData("/* a /* b */ c", SqlTokenKind.Comment, "/* a /* b */ c")]
    [InlineData("$t$ x $T$ y", SqlTokenKind.String, "$t$ x $T$ y")]
    [InlineData("$1a$ x", SqlTokenKind.Punctuation, "$")]
    [InlineData("`a` x", SqlTokenKind.Punctuation, "`")]
    [InlineData("# x", SqlTokenKind.Punctuation, "#")]
    public void Tokenize_first_token_has_the_expected_kind_and_extent(string sql, SqlTokenKind kind, string text)
    {
        LexerAssert.FirstToken(PgLexer.Tokenize, sql, kind, text);
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
        LexerAssert.RandomInputsRoundTrip(PgLexer.Tokenize, "'\"$Ee/*-\n\\ab1_.;é😀 \t()", 20261121);
    }

    [Fact]
    public void Tokenize_random_byte_garbage_round_trips_and_never_throws()
    {
        LexerAssert.ByteGarbageRoundTrips(PgLexer.Tokenize, 7);
    }

    private static void AssertRoundTrip(string sql) => LexerAssert.RoundTrips(PgLexer.Tokenize, sql);
}
