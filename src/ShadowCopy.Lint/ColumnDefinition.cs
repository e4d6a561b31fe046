using ShadowCopy.Core.Sql;

namespace ShadowCopy.Lint;

/// <summary>What the rules need to know about one column definition (ADD COLUMN, MODIFY, CHANGE, CREATE TABLE).</summary>
internal sealed record ColumnDefinition(
    SqlToken NameToken,
    string Name,
    string TypeText,
    string BaseType,
    bool NotNull,
    string? DefaultText,
    bool HasDefault,
    bool Generated,
    bool GeneratedStored,
    bool Identity,
    bool AutoIncrement,
    bool PrimaryKey,
    bool Unique,
    bool References,
    bool Check,
    string? Position)
{
    private static readonly HashSet<string> StopWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "NOT", "NULL", "DEFAULT", "PRIMARY", "UNIQUE", "REFERENCES", "CHECK", "CONSTRAINT", "GENERATED",
        "COLLATE", "AUTO_INCREMENT", "COMMENT", "FIRST", "AFTER", "AS", "ON", "INVISIBLE", "VISIBLE",
        "STORED", "VIRTUAL", "CHARSET", "IDENTITY", "KEY", "COLUMN_FORMAT", "STORAGE", "SRID", "PERSISTENT",
    };

    /// <summary>Parses from <paramref name="start"/> (the column name) to the end of <paramref name="tokens"/>; null when there is no name.</summary>
    public static ColumnDefinition? Parse(Tokens tokens, int start, LintDialect dialect)
    {
        if (start >= tokens.Count || tokens[start].Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier))
        {
            return null;
        }

        var typeStart = start + 1;
        var i = typeStart;
        while (i < tokens.Count)
        {
            if (tokens.Punct(i, "("))
            {
                i = tokens.SkipGroup(i);
                continue;
            }

            var t = tokens[i];
            if (t.Kind == SqlTokenKind.Word && StopWords.Contains(t.Text))
            {
                break;
            }

            // "character varying" is a type; "CHARACTER SET x" after a type is an attribute.
            if (t.IsWord("CHARACTER") && tokens.Word(i + 1, "SET") && i > typeStart)
            {
                break;
            }

            i++;
        }

        var typeText = tokens.Join(typeStart, i).ToLowerInvariant().Replace(" (", "(", StringComparison.Ordinal).Replace("( ", "(", StringComparison.Ordinal).Replace(" )", ")", StringComparison.Ordinal).Replace(" , ", ",", StringComparison.Ordinal);
        var baseType = typeStart < tokens.Count && tokens[typeStart].Kind == SqlTokenKind.Word ? tokens[typeStart].Text.ToLowerInvariant() : string.Empty;
        var defaultAt = tokens.Find(i, "DEFAULT");
        string? defaultText = null;
        if (defaultAt >= 0)
        {
            var end = defaultAt + 1;
            while (end < tokens.Count)
            {
                if (tokens.Punct(end, "("))
                {
                    end = tokens.SkipGroup(end);
                    continue;
                }

                if (tokens[end].Kind == SqlTokenKind.Word && StopWords.Contains(tokens[end].Text) && end > defaultAt + 1 && !tokens[end].IsWord("NULL"))
                {
                    break;
                }

                end++;
            }

            defaultText = tokens.Join(defaultAt + 1, end);
        }

        var generatedAt = Math.Max(tokens.Find(i, "GENERATED"), tokens.Find(i, "AS"));
        var stored = generatedAt >= 0 && (tokens.Find(i, "STORED") >= 0 || tokens.Find(i, "PERSISTENT") >= 0);
        var identity = tokens.Find(i, "IDENTITY") >= 0;
        var after = tokens.Find(i, "AFTER");
        string? position = tokens.Find(i, "FIRST") >= 0 ? "FIRST" : after >= 0 ? "AFTER " + tokens.Text(after + 1) : null;
        return new ColumnDefinition(
            tokens[start],
            Tokens.Identifier(tokens[start], dialect),
            typeText,
            baseType,
            tokens.Find(i, "NOT", "NULL") >= 0,
            defaultText,
            defaultAt >= 0 && !string.Equals(defaultText, "NULL", StringComparison.OrdinalIgnoreCase),
            generatedAt >= 0 && !identity,
            stored,
            identity,
            tokens.Find(i, "AUTO_INCREMENT") >= 0,
            tokens.Find(i, "PRIMARY", "KEY") >= 0,
            tokens.Find(i, "UNIQUE") >= 0,
            tokens.Find(i, "REFERENCES") >= 0,
            tokens.Find(i, "CHECK") >= 0,
            position);
    }

    public bool IsSerial => BaseType is "serial" or "bigserial" or "smallserial" or "serial4" or "serial8" or "serial2";

    /// <summary>The server fills the column itself, so NOT NULL without DEFAULT is fine.</summary>
    public bool SelfFilling => IsSerial || Identity || AutoIncrement || Generated;
}
