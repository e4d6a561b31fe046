using ShadowCopy.Core.Sql;

namespace ShadowCopy.Lint;

/// <summary>Keyword matching over significant tokens (no whitespace or comments); every index is bounds-checked so arbitrary input never throws.</summary>
internal sealed class Tokens
{
    public Tokens(IReadOnlyList<SqlToken> items)
    {
        Items = items;
    }

    public IReadOnlyList<SqlToken> Items { get; }

    public int Count => Items.Count;

    public SqlToken this[int index] => Items[index];

    public bool Word(int index, string word) => index >= 0 && index < Items.Count && Items[index].IsWord(word);

    public bool Punct(int index, string text) => index >= 0 && index < Items.Count && Items[index].Kind == SqlTokenKind.Punctuation && Items[index].Text == text;

    /// <summary>True when the words follow each other starting at <paramref name="index"/>.</summary>
    public bool Words(int index, params string[] words)
    {
        for (var k = 0; k < words.Length; k++)
        {
            if (!Word(index + k, words[k]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Index of the first occurrence of the word sequence outside parentheses, or -1.</summary>
    public int Find(int from, params string[] words)
    {
        var depth = 0;
        for (var i = Math.Max(0, from); i < Items.Count; i++)
        {
            if (Punct(i, "("))
            {
                depth++;
            }
            else if (Punct(i, ")"))
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0 && Words(i, words))
            {
                return i;
            }
        }

        return -1;
    }

    public bool Has(params string[] words) => Find(0, words) >= 0;

    public string? Text(int index) => index >= 0 && index < Items.Count ? Items[index].Text : null;

    public Tokens Slice(int from, int to)
    {
        from = Math.Clamp(from, 0, Items.Count);
        to = Math.Clamp(to, from, Items.Count);
        var list = new List<SqlToken>(to - from);
        for (var i = from; i < to; i++)
        {
            list.Add(Items[i]);
        }

        return new Tokens(list);
    }

    /// <summary>Splits at commas outside parentheses (the clause list of ALTER TABLE, the element list of CREATE TABLE).</summary>
    public List<Tokens> SplitTopLevel(int from, int to)
    {
        var parts = new List<Tokens>();
        var depth = 0;
        var start = from;
        to = Math.Min(to, Items.Count);
        for (var i = from; i < to; i++)
        {
            if (Punct(i, "("))
            {
                depth++;
            }
            else if (Punct(i, ")"))
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0 && Punct(i, ","))
            {
                parts.Add(Slice(start, i));
                start = i + 1;
            }
        }

        if (start < to)
        {
            parts.Add(Slice(start, to));
        }

        return parts;
    }

    /// <summary>Index just after the parenthesis group that opens at <paramref name="open"/>, or the end.</summary>
    public int SkipGroup(int open)
    {
        var depth = 0;
        for (var i = open; i < Items.Count; i++)
        {
            if (Punct(i, "("))
            {
                depth++;
            }
            else if (Punct(i, ")"))
            {
                depth--;
                if (depth <= 0)
                {
                    return i + 1;
                }
            }
        }

        return Items.Count;
    }

    public string Join(int from, int to, string separator = " ")
    {
        var parts = new List<string>();
        for (var i = Math.Max(0, from); i < Math.Min(to, Items.Count); i++)
        {
            parts.Add(Items[i].Text);
        }

        return string.Join(separator, parts);
    }

    /// <summary>Identifier value: quotes removed; unquoted PostgreSQL names fold to lower case.</summary>
    public static string Identifier(SqlToken token, LintDialect dialect) => token.Kind switch
    {
        SqlTokenKind.QuotedIdentifier when token.Text.Length >= 2 && token.Text[0] == '`' => token.Text[1..^1].Replace("``", "`", StringComparison.Ordinal),
        SqlTokenKind.QuotedIdentifier when token.Text.Length >= 2 => token.Text[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal),
        SqlTokenKind.Word when dialect == LintDialect.Postgres => token.IdentifierValue ?? token.Text,
        _ => token.Text.ToLowerInvariant(),
    };
}
