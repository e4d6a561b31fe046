namespace ShadowCopy.Core.Sql;

/// <summary>Character scanning shared by the PostgreSQL and MySQL tokenizers.</summary>
internal static class SqlScan
{
    public static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    /// <summary>
    /// Returns the index just past the closing <paramref name="quote"/> (a doubled quote is an
    /// escaped one), or the end of the input when the quote is never closed.
    /// </summary>
    public static int SkipQuoted(string sql, int i, char quote, bool backslashEscapes)
    {
        while (i < sql.Length)
        {
            if (backslashEscapes && sql[i] == '\\')
            {
                i += 2;
                continue;
            }

            if (sql[i] == quote)
            {
                if (At(sql, i + 1) == quote)
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return sql.Length;
    }
}
