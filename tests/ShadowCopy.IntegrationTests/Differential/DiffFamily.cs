namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// Pairs that share one table and one ALTER (one clause per pair). Families keep a failure
/// attributable: a pair the tool refuses takes only its own family down.
/// </summary>
/// <param name="Name">Shown in test names and failure messages.</param>
/// <param name="Pairs">The columns of the table besides the key.</param>
/// <param name="Prelude">Statements run before the tables are created ({s} = the schema), e.g. CREATE TYPE.</param>
internal sealed record DiffFamily(string Name, IReadOnlyList<TypePair> Pairs, IReadOnlyList<string> Prelude)
{
    /// <summary>MySQL: the seed rows include key 0, inserted under NO_AUTO_VALUE_ON_ZERO.</summary>
    public bool ZeroKey { get; init; }

    /// <summary>Why pairs were left out on this server (e.g. a missing extension), for the test output.</summary>
    public string? Note { get; init; }

    public override string ToString() => Name;
}
