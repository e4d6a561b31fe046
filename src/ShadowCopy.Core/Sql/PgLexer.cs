using System.Text;

namespace ShadowCopy.Core.Sql;

/// <summary>
/// A lossless PostgreSQL tokenizer: -- and nested /* */ comments, '…' and E'…' strings,
/// "…" identifiers, $tag$…$tag$ dollar quotes. Never throws: an unterminated construct runs to
/// the end of the input as one token, so callers can report it instead of crashing. The scanning
/// it shares with <see cref="MySqlLexer"/> is <see cref="SqlScanner"/>'s.
/// </summary>
public static class PgLexer
{
    public static IReadOnlyList<SqlToken> Tokenize(string sql) => SqlScanner.Tokenize(sql, Claim, wordMayStartWithDollar: false);

    public static string Join(IEnumerable<SqlToken> tokens)
    {
        var builder = new StringBuilder();
        foreach (var token in tokens)
        {
            builder.Append(token.Text);
        }

        return builder.ToString();
    }

    private static SqlTokenKind? Claim(SqlScanner s) => s.Peek() switch
    {
        '-' when s.Peek(1) == '-' => s.LineComment(),
        '/' when s.Peek(1) == '*' => s.BlockComment(nested: true),
        '\'' => s.Quoted(1, '\'', backslashEscapes: false, SqlTokenKind.String),
        'E' or 'e' when s.Peek(1) == '\'' => s.Quoted(2, '\'', backslashEscapes: true, SqlTokenKind.String),
        '"' => s.Quoted(1, '"', backslashEscapes: false, SqlTokenKind.QuotedIdentifier),
        '$' when DollarTag(s) is { } tag => s.Delimited(tag, SqlTokenKind.String),
        _ => null,
    };

    /// <summary>The $tag$ opening at the cursor ($$ or $name$, the name not starting with a digit), or null.</summary>
    private static string? DollarTag(SqlScanner s)
    {
        var length = 1;
        while ((char.IsLetterOrDigit(s.Peek(length)) || s.Peek(length) == '_') && !(length == 1 && char.IsDigit(s.Peek(length))))
        {
            length++;
        }

        return s.Peek(length) == '$' ? s.Text(length + 1) : null;
    }
}
