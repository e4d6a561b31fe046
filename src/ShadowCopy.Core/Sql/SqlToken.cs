namespace ShadowCopy.Core.Sql;

/// <summary>A token with its exact source text, so a token stream can be rewritten losslessly.</summary>
public readonly record struct SqlToken(SqlTokenKind Kind, string Text, int Offset)
{
    public bool IsTrivia => Kind is SqlTokenKind.Whitespace or SqlTokenKind.Comment;

    public bool IsWord(string word) => Kind == SqlTokenKind.Word && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);

    /// <summary>The identifier this token names: unquoted words fold A–Z to lower case (PostgreSQL rules, see <see cref="Schema.TableName.FoldAscii"/>).</summary>
    public string? IdentifierValue => Kind switch
    {
        SqlTokenKind.Word => string.Concat(Text.Select(Schema.TableName.FoldAscii)),
        SqlTokenKind.QuotedIdentifier => Text[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal),
        _ => null,
    };
}
