namespace ShadowCopy.Core.Sql;

/// <summary>
/// The scanning the PostgreSQL and MySQL tokenizers share: a cursor over the text, the token list,
/// and the constructs whose rules are the same in both dialects (whitespace, line and block comments,
/// quoted runs where a doubled quote is an escaped one, numbers, words, one-character punctuation).
/// At each token start a dialect lexer claims the constructs only it has (its comments, quotes and
/// openers) by advancing the cursor and naming the kind; whatever it leaves falls to the shared
/// number, word and punctuation rules. Lossless and never throws: tokens cover the input without
/// gaps, and an unterminated construct runs to the end of the input as one token.
/// </summary>
internal sealed class SqlScanner
{
    private readonly string _sql;

    private SqlScanner(string sql)
    {
        _sql = sql;
    }

    /// <summary>Where the cursor is; a dialect's claim moves it past what it claimed.</summary>
    public int Position { get; private set; }

    /// <summary>The character <paramref name="ahead"/> places after the cursor, or '\0' past the end.</summary>
    public char Peek(int ahead = 0) => At(_sql, Position + ahead);

    /// <summary>The <paramref name="length"/> characters from the cursor on (fewer at the end).</summary>
    public string Text(int length) => _sql.Substring(Position, Math.Min(length, _sql.Length - Position));

    /// <summary>
    /// Splits <paramref name="sql"/> into tokens. <paramref name="claim"/> runs at every token start
    /// that is not whitespace; it returns the kind of the construct it consumed, or null (cursor
    /// untouched) to leave the position to the shared rules.
    /// </summary>
    public static IReadOnlyList<SqlToken> Tokenize(string sql, Func<SqlScanner, SqlTokenKind?> claim, bool wordMayStartWithDollar)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var scanner = new SqlScanner(sql);
        var tokens = new List<SqlToken>();
        while (scanner.Position < sql.Length)
        {
            var start = scanner.Position;
            var c = sql[start];
            var kind = char.IsWhiteSpace(c) ? scanner.While(char.IsWhiteSpace, SqlTokenKind.Whitespace) : claim(scanner) ?? scanner.Shared(c, wordMayStartWithDollar);
            tokens.Add(new SqlToken(kind, sql[start..scanner.Position], start));
        }

        return tokens;
    }

    /// <summary>Moves the cursor <paramref name="count"/> characters on (never past the end).</summary>
    public void Advance(int count) => Position = Math.Min(_sql.Length, Position + count);

    /// <summary>Advances while <paramref name="predicate"/> holds for the current character.</summary>
    public SqlTokenKind While(Func<char, bool> predicate, SqlTokenKind kind)
    {
        while (Position < _sql.Length && predicate(_sql[Position]))
        {
            Position++;
        }

        return kind;
    }

    /// <summary>A comment that runs to the end of the line (the newline is not part of it).</summary>
    public SqlTokenKind LineComment() => While(c => c != '\n', SqlTokenKind.Comment);

    /// <summary>A /* … */ comment at the cursor; <paramref name="nested"/>: each inner /* needs its own */ (PostgreSQL).</summary>
    public SqlTokenKind BlockComment(bool nested)
    {
        Advance(2);
        var depth = 1;
        while (Position < _sql.Length)
        {
            if (nested && Peek() == '/' && Peek(1) == '*')
            {
                depth++;
                Advance(2);
            }
            else if (Peek() == '*' && Peek(1) == '/')
            {
                Advance(2);
                if (--depth == 0)
                {
                    break;
                }
            }
            else
            {
                Position++;
            }
        }

        return SqlTokenKind.Comment;
    }

    /// <summary>
    /// A quoted run whose opener (for example ' or E') is <paramref name="openerLength"/> characters
    /// long: ends just past the closing <paramref name="quote"/>; a doubled quote is an escaped one,
    /// and with <paramref name="backslashEscapes"/> so is a backslash and the character after it.
    /// </summary>
    public SqlTokenKind Quoted(int openerLength, char quote, bool backslashEscapes, SqlTokenKind kind)
    {
        Advance(openerLength);
        while (Position < _sql.Length)
        {
            var c = _sql[Position];
            if (backslashEscapes && c == '\\')
            {
                Advance(2);
            }
            else if (c == quote && Peek(1) == quote)
            {
                Advance(2);
            }
            else
            {
                Position++;
                if (c == quote)
                {
                    break;
                }
            }
        }

        return kind;
    }

    /// <summary>A run that opens with <paramref name="delimiter"/> at the cursor and ends just past its next occurrence (PostgreSQL's $tag$ … $tag$).</summary>
    public SqlTokenKind Delimited(string delimiter, SqlTokenKind kind)
    {
        var end = _sql.IndexOf(delimiter, Position + delimiter.Length, StringComparison.Ordinal);
        Position = end < 0 ? _sql.Length : end + delimiter.Length;
        return kind;
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static bool IsWordPart(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '$' || c > 127;

    private SqlTokenKind Shared(char c, bool wordMayStartWithDollar)
    {
        if (char.IsDigit(c) || (c == '.' && char.IsDigit(Peek(1))))
        {
            return While(d => char.IsLetterOrDigit(d) || d == '.' || d == '_', SqlTokenKind.Number);
        }

        if (char.IsLetter(c) || c == '_' || c > 127 || (c == '$' && wordMayStartWithDollar))
        {
            return While(IsWordPart, SqlTokenKind.Word);
        }

        Position++;
        return SqlTokenKind.Punctuation;
    }
}
