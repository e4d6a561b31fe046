namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// The values a generated statement may write into one column of the original type: the edge values
/// (drawn often, so every run meets them), a random draw, NULL when the column allows it and DEFAULT
/// when the column has one (or is nullable). Every value must be storable in the original column.
/// </summary>
internal sealed record ValueDomain(IReadOnlyList<DiffValue> Edges, Func<Random, DiffValue> Draw)
{
    public bool Nullable { get; init; } = true;

    /// <summary>DEFAULT may be written although the column is NOT NULL (it has a default).</summary>
    public bool HasDefault { get; init; }

    /// <summary>
    /// Values written only by the DML windows, never by the seed rows: data that arrives while the run
    /// is under way and that the new type cannot hold (the server's ALTER would refuse it).
    /// </summary>
    public IReadOnlyList<DiffValue> Late { get; init; } = [];

    /// <summary>Only the listed values (edges and draws are the same set).</summary>
    public static ValueDomain Of(params DiffValue[] values) => new(values, r => values[r.Next(values.Length)]);

    public DiffValue Next(Random random)
    {
        var roll = random.Next(100);
        if (roll < 8 && Nullable)
        {
            return DiffValue.Null;
        }

        if (roll < 12 && (Nullable || HasDefault))
        {
            return DiffValue.Default;
        }

        return roll < 50 ? Edges[random.Next(Edges.Count)] : Draw(random);
    }

    /// <summary>Like <see cref="Next"/>, with a <see cref="Late"/> value now and then.</summary>
    public DiffValue NextLate(Random random) =>
        Late.Count > 0 && random.Next(100) < 10 ? Late[random.Next(Late.Count)] : Next(random);
}
