namespace ShadowCopy.Core.Sql;

/// <summary>
/// A lossless MySQL/MariaDB tokenizer in the shape of <see cref="PgLexer"/>: `backtick`
/// identifiers, # and "-- " comments, '…' and "…" strings with backslash escapes, and
/// /*! … */ executable comments whose body is tokenized as code (the server runs it).
/// Never throws: an unterminated construct runs to the end of the input as one token. The
/// scanning it shares with <see cref="PgLexer"/> is <see cref="SqlScanner"/>'s.
/// </summary>
public static class MySqlLexer
{
    public static IReadOnlyList<SqlToken> Tokenize(string sql)
    {
        var inExecutableComment = false;
        return SqlScanner.Tokenize(sql, Claim, wordMayStartWithDollar: true);

        SqlTokenKind? Claim(SqlScanner s)
        {
            switch (s.Peek())
            {
                // MySQL needs a space or control character after "--" (https://dev.mysql.com/doc/refman/8.0/en/ansi-diff-comments.html);
                // the end of the input peeks as '\0', a control character.
                case '#':
                case '-' when s.Peek(1) == '-' && (char.IsWhiteSpace(s.Peek(2)) || char.IsControl(s.Peek(2))):
                    return s.LineComment();
                case '/' when s.Peek(1) == '*' && s.Peek(2) == '!' && !inExecutableComment:
                    // Executable comment: the server runs the body, so we lint it. Only the opener
                    // and its optional version number are trivia.
                    s.Advance(3);
                    inExecutableComment = true;
                    return s.While(char.IsDigit, SqlTokenKind.Comment);
                case '*' when s.Peek(1) == '/' && inExecutableComment:
                    s.Advance(2);
                    inExecutableComment = false;
                    return SqlTokenKind.Comment;
                case '/' when s.Peek(1) == '*':
                    return s.BlockComment(nested: false);
                case '\'' or '"':
                    return s.Quoted(1, s.Peek(), backslashEscapes: true, SqlTokenKind.String);
                case '`':
                    return s.Quoted(1, '`', backslashEscapes: false, SqlTokenKind.QuotedIdentifier);
                default:
                    return null;
            }
        }
    }
}
