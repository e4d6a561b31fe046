namespace ShadowCopy.Core.Sql;

public enum SqlTokenKind
{
    Whitespace,
    Comment,
    Word,
    QuotedIdentifier,
    String,
    Number,
    Punctuation,
}
