namespace ShadowCopy.Core.Sql;

/// <summary>
/// A lossless MySQL/MariaDB tokenizer in the shape of <see cref="PgLexer"/>: `backtick`
/// identifiers, # and "-- " comments, '…' and "…" strings with backslash escapes, and
/// /*! … */ executable comments whose body is tokenized as code (the server runs it).
/// Never throws: an unterminated construct runs to the end of the input as one token.
/// </summary>
public static class MySqlLexer
{
    public static IReadOnlyList<SqlToken> Tokenize(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var tokens = new List<SqlToken>();
        var i = 0;
        var inExecutableComment = false;
        while (i < sql.Length)
        {
            var start = i;
            var c = sql[i];
            SqlTokenKind kind;
            if (char.IsWhiteSpace(c))
            {
                while (i < sql.Length && char.IsWhiteSpace(sql[i]))
                {
                    i++;
                }

                kind = SqlTokenKind.Whitespace;
            }
            else if (c == '#' || (c == '-' && SqlScan.At(sql, i + 1) == '-' && (i + 2 >= sql.Length || char.IsWhiteSpace(sql[i + 2]) || char.IsControl(sql[i + 2]))))
            {
                // MySQL needs a space after "--" (https://dev.mysql.com/doc/refman/8.0/en/ansi-diff-comments.html).
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }

                kind = SqlTokenKind.Comment;
            }
            else if (c == '/' && SqlScan.At(sql, i + 1) == '*' && SqlScan.At(sql, i + 2) == '!' && !inExecutableComment)
            {
                // Executable comment: the server runs the body, so we lint it. Only the opener
                // and its optional version number are trivia.
                i += 3;
                while (i < sql.Length && char.IsDigit(sql[i]))
                {
                    i++;
                }

                inExecutableComment = true;
                kind = SqlTokenKind.Comment;
            }
            else if (inExecutableComment && c == '*' && SqlScan.At(sql, i + 1) == '/')
            {
                i += 2;
                inExecutableComment = false;
                kind = SqlTokenKind.Comment;
            }
            else if (c == '/' && SqlScan.At(sql, i + 1) == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
                kind = SqlTokenKind.Comment;
            }
            else if (c is '\'' or '"')
            {
                i = SqlScan.SkipQuoted(sql, i + 1, c, true);
                kind = SqlTokenKind.String;
            }
            else if (c == '`')
            {
                i = SqlScan.SkipQuoted(sql, i + 1, '`', false);
                kind = SqlTokenKind.QuotedIdentifier;
            }
            else if (char.IsDigit(c) || (c == '.' && char.IsDigit(SqlScan.At(sql, i + 1))))
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '.' || sql[i] == '_'))
                {
                    i++;
                }

                kind = SqlTokenKind.Number;
            }
            else if (char.IsLetter(c) || c == '_' || c == '$' || c > 127)
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '_' || sql[i] == '$' || sql[i] > 127))
                {
                    i++;
                }

                kind = SqlTokenKind.Word;
            }
            else
            {
                i++;
                kind = SqlTokenKind.Punctuation;
            }

            tokens.Add(new SqlToken(kind, sql[start..i], start));
        }

        return tokens;
    }
}
