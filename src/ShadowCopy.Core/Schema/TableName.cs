namespace ShadowCopy.Core.Schema;

/// <summary>A schema-qualified table name, unquoted (as stored in the catalog).</summary>
public sealed record TableName(string Schema, string Name)
{
    public override string ToString() => $"{Schema}.{Name}";

    /// <summary>
    /// Parses <c>schema.table</c> as a user writes it on the command line: unquoted parts are
    /// folded to lower case (as PostgreSQL does), double-quoted parts are taken literally with
    /// <c>""</c> meaning one quote. A missing schema means <paramref name="defaultSchema"/>.
    /// </summary>
    public static TableName Parse(string text, string defaultSchema, bool foldUnquotedToLower = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<string>();
        var current = new System.Text.StringBuilder();
        var i = 0;
        var partStarted = false;
        while (i < text.Length)
        {
            var ch = text[i];
            if (ch == '"')
            {
                i++;
                var closed = false;
                while (i < text.Length)
                {
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            current.Append('"');
                            i += 2;
                            continue;
                        }

                        closed = true;
                        i++;
                        break;
                    }

                    current.Append(text[i]);
                    i++;
                }

                if (!closed)
                {
                    throw new FormatException($"Unterminated quoted identifier in table name '{text}'.");
                }

                partStarted = true;
                continue;
            }

            if (ch == '.')
            {
                if (!partStarted || current.Length == 0)
                {
                    throw new FormatException($"Empty name part in table name '{text}'.");
                }

                parts.Add(current.ToString());
                current.Clear();
                partStarted = false;
                i++;
                continue;
            }

            current.Append(foldUnquotedToLower ? FoldAscii(ch) : ch);
            partStarted = true;
            i++;
        }

        if (!partStarted || current.Length == 0)
        {
            throw new FormatException($"Table name '{text}' is empty or ends with a dot; write schema.table.");
        }

        parts.Add(current.ToString());
        return parts.Count switch
        {
            1 => new TableName(defaultSchema, parts[0]),
            2 => new TableName(parts[0], parts[1]),
            _ => throw new FormatException($"Table name '{text}' has more than two parts; write schema.table."),
        };
    }

    /// <summary>
    /// PostgreSQL folds only A–Z in unquoted identifiers when the server encoding is multibyte
    /// (scansup.c, downcase_identifier), so unquoted ÄPFEL names the table "Äpfel", not "äpfel".
    /// </summary>
    internal static char FoldAscii(char ch) => ch is >= 'A' and <= 'Z' ? (char)(ch + ('a' - 'A')) : ch;
}
