namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// A table of pairs drawn at random (seeded) across families: the verification and apply code
/// depend on the mix of columns in one table (e.g. whether text can be hashed raw), not only on each pair.
/// </summary>
internal static class MixedFamily
{
    public const string Name = "mixed";

    public static DiffFamily Draw(IReadOnlyList<DiffFamily> families, IReadOnlyList<string> mixable, IReadOnlyList<string> prelude, int seed, int count = 14)
    {
        var random = new Random(seed);
        var pool = families.Where(f => mixable.Contains(f.Name)).SelectMany(f => f.Pairs).ToList();
        var drawn = pool.OrderBy(_ => random.Next()).Take(count).OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
        return new DiffFamily(Name, drawn, prelude) { Note = "pairs: " + string.Join(", ", drawn.Select(p => p.Id)) };
    }
}
