using System.Text;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.MySql.Shadow;

/// <summary>
/// Reads what the engine must know from the user's ALTER clauses without a full SQL parser:
/// column renames (<c>CHANGE [COLUMN] old new …</c>, <c>RENAME COLUMN old TO new</c>) for the
/// column mapping, and a table rename, which is refused (the cut-over owns the table's name).
/// Clauses are split at top-level commas; quoted names and strings are honoured.
/// </summary>
internal static class MySqlAlterText
{
    public static IReadOnlyDictionary<string, string> Renames(string alter)
    {
        var renames = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var clause in Clauses(alter))
        {
            var words = clause.Select(t => t.Quoted ? null : t.Text.ToUpperInvariant()).ToList();
            if (words.Count >= 3 && words[0] == "CHANGE")
            {
                var at = words[1] == "COLUMN" ? 2 : 1;
                if (clause.Count > at + 1)
                {
                    renames[clause[at].Text] = clause[at + 1].Text;
                }
            }
            else if (words.Count >= 5 && words[0] == "RENAME" && words[1] == "COLUMN" && words[3] == "TO")
            {
                renames[clause[2].Text] = clause[4].Text;
            }
        }

        return renames;
    }

    /// <summary>
    /// Columns the ALTER drops and adds again under the same name (<c>DROP COLUMN c, ADD COLUMN c …</c>):
    /// the user asked for a new column, so its old values must not be carried.
    /// </summary>
    public static IReadOnlySet<string> Recreated(string alter)
    {
        var droppedColumns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var recreated = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var clause in Clauses(alter))
        {
            var words = clause.Select(t => t.Quoted ? null : t.Text.ToUpperInvariant()).ToList();
            if (words.Count < 2 || words[0] is not ("DROP" or "ADD"))
            {
                continue;
            }

            var at = words[1] == "COLUMN" ? 2 : 1;
            if (words.Count > at && words[at] is "IF")
            {
                at += words.Count > at + 1 && words[at + 1] == "NOT" ? 3 : 2;
            }

            // ADD INDEX/KEY/CONSTRAINT/PRIMARY/UNIQUE… and DROP INDEX/KEY/… name no column.
            if (clause.Count <= at || (at == 1 && words[1] is "INDEX" or "KEY" or "CONSTRAINT" or "PRIMARY" or "UNIQUE" or "FOREIGN" or "FULLTEXT" or "SPATIAL" or "CHECK" or "PARTITION" or "PERIOD" or "SYSTEM"))
            {
                continue;
            }

            var name = clause[at].Text;
            if (words[0] == "DROP")
            {
                droppedColumns.Add(name);
            }
            else if (droppedColumns.Contains(name))
            {
                recreated.Add(name);
            }
        }

        return recreated;
    }

    /// <summary>
    /// Whether the ALTER sets the AUTO_INCREMENT table option: then the counter is the user's (the server
    /// keeps it at least one above the largest value), not carried over from the original.
    /// </summary>
    public static bool SetsAutoIncrement(string alter) =>
        Clauses(alter).Any(clause => clause.Count > 0 && !clause[0].Quoted
            && clause[0].Text.ToUpperInvariant() is not ("ADD" or "MODIFY" or "CHANGE" or "ALTER" or "DROP" or "RENAME")
            && clause.Any(t => !t.Quoted && t.Text.Equals("AUTO_INCREMENT", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Refuses a table rename and empty input; returns the clauses unchanged.</summary>
    public static string Validate(string alter)
    {
        if (string.IsNullOrWhiteSpace(alter))
        {
            throw new PreflightRefusedException(RefusalReason.AlterRejected, "The ALTER is empty; pass the clauses that follow ALTER TABLE <name>.");
        }

        foreach (var clause in Clauses(alter))
        {
            if (clause.Count >= 2 && !clause[0].Quoted && clause[0].Text.Equals("RENAME", StringComparison.OrdinalIgnoreCase)
                && !(clause[1] is { Quoted: false } next && (next.Text.Equals("COLUMN", StringComparison.OrdinalIgnoreCase) || next.Text.Equals("INDEX", StringComparison.OrdinalIgnoreCase) || next.Text.Equals("KEY", StringComparison.OrdinalIgnoreCase))))
            {
                throw new PreflightRefusedException(RefusalReason.AlterRejected, "The ALTER renames the table; an online ALTER keeps the table's name (rename it separately with RENAME TABLE). Nothing was changed.");
            }
        }

        // Partitioning options follow the clauses without a comma (… PARTITION BY HASH (id) PARTITIONS 4).
        var words = Clauses(alter).SelectMany(c => c).Where(t => !t.Quoted).Select(t => t.Text.ToUpperInvariant()).ToList();
        if (words.Where((w, i) => w == "PARTITIONING" || (w == "PARTITION" && i + 1 < words.Count && words[i + 1] == "BY")).Any())
        {
            throw new PreflightRefusedException(RefusalReason.PartitionedTable, "The ALTER partitions the table (PARTITION BY) or removes its partitioning; shadowcopy does not create or rewrite partitioned tables. Run that change with the server's own ALTER TABLE. Nothing was changed.");
        }

        return alter.Trim().TrimEnd(';');
    }

    internal static List<List<Token>> Clauses(string text)
    {
        var clauses = new List<List<Token>>();
        var current = new List<Token>();
        var depth = 0;
        var i = 0;
        while (i < text.Length)
        {
            var ch = text[i];
            if (char.IsWhiteSpace(ch))
            {
                i++;
            }
            else if (ch is '`' or '"' or '\'')
            {
                var (value, next) = ReadQuoted(text, i);
                current.Add(new Token(value, true));
                i = next;
            }
            else if (char.IsLetterOrDigit(ch) || ch is '_' or '$' || ch > 127)
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '$' || text[i] > 127))
                {
                    i++;
                }

                current.Add(new Token(text[start..i], false));
            }
            else
            {
                depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
                if (ch == ',' && depth == 0)
                {
                    clauses.Add(current);
                    current = [];
                }
                else
                {
                    current.Add(new Token(ch.ToString(), false));
                }

                i++;
            }
        }

        clauses.Add(current);
        return clauses.Where(c => c.Count > 0).ToList();
    }

    private static (string Value, int Next) ReadQuoted(string text, int start)
    {
        var quote = text[start];
        var value = new StringBuilder();
        var i = start + 1;
        while (i < text.Length)
        {
            if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    value.Append(quote);
                    i += 2;
                    continue;
                }

                return (value.ToString(), i + 1);
            }

            if (text[i] == '\\' && quote != '`' && i + 1 < text.Length)
            {
                value.Append(text[i + 1]);
                i += 2;
                continue;
            }

            value.Append(text[i]);
            i++;
        }

        throw new PreflightRefusedException(RefusalReason.AlterRejected, $"Unterminated {quote}-quoted text in the ALTER.");
    }

    internal sealed record Token(string Text, bool Quoted);
}
