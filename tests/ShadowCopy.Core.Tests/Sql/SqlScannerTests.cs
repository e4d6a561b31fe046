using ShadowCopy.Core.Sql;

namespace ShadowCopy.Core.Tests.Sql;

public sealed class SqlScannerTests
{
    [Fact]
    public void A_dialect_claims_its_own_constructs_and_leaves_the_rest_to_the_shared_rules()
    {
        var tokens = SqlScanner.Tokenize("a<>b 12 <>", s => s.Peek() == '<' ? s.While(c => c is '<' or '>', SqlTokenKind.Punctuation) : null, wordMayStartWithDollar: false);

        Assert.Equal(
            [(SqlTokenKind.Word, "a"), (SqlTokenKind.Punctuation, "<>"), (SqlTokenKind.Word, "b"), (SqlTokenKind.Whitespace, " "), (SqlTokenKind.Number, "12"), (SqlTokenKind.Whitespace, " "), (SqlTokenKind.Punctuation, "<>")],
            tokens.Select(t => (t.Kind, t.Text)));
    }

    [Theory]
    [InlineData("'\\", true)]
    [InlineData("'a\\'", true)]
    [InlineData("'a''", false)]
    [InlineData("'", false)]
    public void An_unterminated_quote_runs_to_the_end_even_when_it_ends_in_an_escape(string sql, bool backslashEscapes)
    {
        var tokens = SqlScanner.Tokenize(sql, s => s.Peek() == '\'' ? s.Quoted(1, '\'', backslashEscapes, SqlTokenKind.String) : null, wordMayStartWithDollar: false);

        Assert.Equal((SqlTokenKind.String, sql), (Assert.Single(tokens).Kind, tokens[0].Text));
    }

    [Fact]
    public void Peek_and_Text_past_the_end_read_nothing()
    {
        SqlScanner.Tokenize("$", s =>
        {
            Assert.Equal(('$', '\0', "$"), (s.Peek(), s.Peek(5), s.Text(9)));
            s.Advance(9);
            Assert.Equal(1, s.Position);
            return SqlTokenKind.Punctuation;
        }, wordMayStartWithDollar: false);
    }
}
