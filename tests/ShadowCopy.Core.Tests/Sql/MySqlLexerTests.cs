using ShadowCopy.Core.Sql;

namespace ShadowCopy.Core.Tests.Sql;

public sealed class MySqlLexerTests
{
    public static TheoryData<string> Samples => new()
    {
        string.Empty,
        "ALTER TABLE `a``b` ADD c int -- x\n# y\n, ADD d text /* z */;",
        "DEFAULT 'it\\'s' \"dq \\\" and \"\"\" 'a''b'",
        "DEFAULT 'back\\\\'",
        "DEFAULT '\\",
        "DEFAULT \"unterminated",
        "ADD `unterminated",
        "/*!50100 PARTITION BY HASH (id) */ /*!",
        "/*!50100 a /*! b */ c */ */",
        "--x --\t-- \u0001--",
        "$a $$ x$1 E'x' 1.5e3 .5",
        "Größe 😀 日本語 int",
        "'",
        "\"",
        "`",
        "-",
        "#",
        "*/",
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Tokenize_then_Join_gives_back_the_input(string sql)
    {
        LexerAssert.RoundTrips(MySqlLexer.Tokenize, sql);
    }

    [Theory]
    [InlineData("-- x\ny", SqlTokenKind.Comment, "-- x")]
    [InlineData("--\tx\ny", SqlTokenKind.Comment, "--\tx")]
    [InlineData("--\u0001x\ny", SqlTokenKind.Comment, "--\u0001x")]
    [InlineData("--", SqlTokenKind.Comment, "--")]
    [InlineData("--x", SqlTokenKind.Punctuation, "-")]
    [InlineData("#x\ny", SqlTokenKind.Comment, "#x")]
    [InlineData("'it\\'s' x", SqlTokenKind.String, "'it\\'s'")]
    [InlineData("'a\\\\' x", SqlTokenKind.String, "'a\\\\'")]
    [InlineData("'a''b' x", SqlTokenKind.String, "'a''b'")]
    [InlineData("\"a\\\"b\" x", SqlTokenKind.String, "\"a\\\"b\"")]
    [InlineData("`a``b` x", SqlTokenKind.QuotedIdentifier, "`a``b`")]
    [InlineData("`a\\` x", SqlTokenKind.QuotedIdentifier, "`a\\`")]
    [InlineData("/* a /* b */ c */", SqlTokenKind.Comment, "/* a /* b */")]
    [InlineData("/* a", SqlTokenKind.Comment, "/* a")]
    [InlineData("/*!50100 x */", SqlTokenKind.Comment, "/*!50100")]
    [InlineData("$a x", SqlTokenKind.Word, "$a")]
    [InlineData("$$x$$ y", SqlTokenKind.Word, "$$x$$")]
    [InlineData("E'x'", SqlTokenKind.Word, "E")]
    [InlineData("*/ x", SqlTokenKind.Punctuation, "*")]
    public void Tokenize_first_token_has_the_expected_kind_and_extent(string sql, SqlTokenKind kind, string text)
    {
        LexerAssert.FirstToken(MySqlLexer.Tokenize, sql, kind, text);
    }

    [Fact]
    public void Executable_comment_body_is_code_and_a_plain_comment_inside_it_does_not_close_it()
    {
        var tokens = MySqlLexer.Tokenize("/*!50100 ALTER /*! note */ TABLE */ x").Where(t => t.Kind != SqlTokenKind.Whitespace).ToList();

        Assert.Equal(
            [(SqlTokenKind.Comment, "/*!50100"), (SqlTokenKind.Word, "ALTER"), (SqlTokenKind.Comment, "/*! note */"), (SqlTokenKind.Word, "TABLE"), (SqlTokenKind.Comment, "*/"), (SqlTokenKind.Word, "x")],
            tokens.Select(t => (t.Kind, t.Text)));
    }

    [Fact]
    public void Tokenize_random_sql_like_strings_round_trip_and_never_throw()
    {
        LexerAssert.RandomInputsRoundTrip(MySqlLexer.Tokenize, "'\"`$/*!-#\n\\ab1_.;é😀 \t()\u0001", 20260315);
    }

    [Fact]
    public void Tokenize_random_byte_garbage_round_trips_and_never_throws()
    {
        LexerAssert.ByteGarbageRoundTrips(MySqlLexer.Tokenize, 11);
    }
}
