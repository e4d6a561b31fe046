namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// One entry of the type-pair matrix: a column of the original type, the ALTER clause that changes it,
/// and the values written into it. The id is also the column's name, so a differing row names its pair.
/// Templates: <c>{c}</c> is the column, <c>{g}</c> its companion (<c>&lt;id&gt;_g</c>: a generated column
/// over it, or a plain one that becomes generated), <c>{s}</c> the schema of the test (PostgreSQL types).
/// </summary>
internal sealed record TypePair(string Id, string Definition, string Alter, ValueDomain Values)
{
    /// <summary>Definition of the companion column in the original table, if it has one.</summary>
    public string? Companion { get; init; }

    /// <summary>Values for the companion when it is a plain (writable) column; null when it is generated.</summary>
    public ValueDomain? CompanionValues { get; init; }

    public string CompanionId => Id + "_g";

    public string Render(string template, Func<string, string> quote, string schema = "") =>
        template.Replace("{c}", quote(Id), StringComparison.Ordinal)
            .Replace("{g}", quote(CompanionId), StringComparison.Ordinal)
            .Replace("{s}", schema, StringComparison.Ordinal);
}
