using System.Text;

namespace ShadowCopy.Core.Sql;

/// <summary>
/// A lossless PostgreSQL tokenizer: -- and nested /* */ comments, '…' and E'…' strings,
/// "…" identifiers, $tag$…$tag$ dollar quotes. Never throws: an unterminated construct runs to
/// the end of the input as one token, so callers can report it instead of crashing.
/// </summary>
public static class PgLexer
{
    public static IReadOnlyList<SqlToken> Tokenize(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var tokens = new List<SqlToken>();
        var i = 0;
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
            else if (c == '-' && SqlScan.At(sql, i + 1) == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }

                kind = SqlTokenKind.Comment;
            }
            else if (c == '/' && SqlScan.At(sql, i + 1) == '*')
            {
                var depth = 0;
                while (i < sql.Length)
                {
                    if (sql[i] == '/' && SqlScan.At(sql, i + 1) == '*')
                    {
                        depth++;
                        i += 2;
                    }
                    else if (sql[i] == '*' && SqlScan.At(sql, i + 1) == '/')
                    {
                        depth--;
                        i += 2;
                        if (depth == 0)
                        {
                            break;
                        }
                    }
                    else
                    {
                        i++;
                    }
                }

                kind = SqlTokenKind.Comment;
            }
            else if (c == '\'' || ((c == 'E' || c == 'e') && SqlScan.At(sql, i + 1) == '\''))
            {
                var escapes = c != '\'';
                i += escapes ? 2 : 1;
                i = SqlScan.SkipQuoted(sql, i, '\'', escapes);
                kind = SqlTokenKind.String;
            }
            else if (c == '"')
            {
                i = SqlScan.SkipQuoted(sql, i + 1, '"', false);
                kind = SqlTokenKind.QuotedIdentifier;
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var end = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + tag.Length;
                kind = SqlTokenKind.String;
            }
            else if (char.IsDigit(c) || (c == '.' && char.IsDigit(SqlScan.At(sql, i + 1))))
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] == '.' || sql[i] == '_'))
                {
                    i++;
                }

                kind = SqlTokenKind.Number;
            }
            else if (char.IsLetter(c) || c == '_' || c > 127)
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

    public static string Join(IEnumerable<SqlToken> tokens)
    {
        var builder = new StringBuilder();
        foreach (var token in tokens)
        {
            builder.Append(token.Text);
        }

        return builder.ToString();
    }

    private static string? DollarTag(string sql, int i)
    {
        var j = i + 1;
        while (j < sql.Length && (char.IsLetterOrDigit(sql[j]) || sql[j] == '_') && !(j == i + 1 && char.IsDigit(sql[j])))
        {
            j++;
        }

        return j < sql.Length && sql[j] == '$' ? sql[i..(j + 1)] : null;
    }
}
