namespace ShadowCopy.MySql.Model;

/// <summary>
/// How rows move from the original to the shadow: columns matched by name (MySQL column names are
/// case-insensitive) after the ALTER's renames; generated columns are never written (the server
/// computes them); the key is the original's identifying key, which the shadow must keep.
/// </summary>
internal sealed record MyMapping(IReadOnlyList<MyColumnMap> Copied, IReadOnlyList<MyColumnMap> Key, string KeyIndex, IReadOnlyList<string> Dropped, IReadOnlyList<string> Added)
{
    /// <summary>
    /// The shadow's unique index that identifies rows: one over exactly the key's columns, or — when
    /// the ALTER widened the key (<c>DROP PRIMARY KEY, ADD PRIMARY KEY (id, i)</c>) — one that starts
    /// with them (<see cref="KeyWidened"/>). Null when there is neither.
    /// </summary>
    public string? ShadowKeyIndex { get; init; }

    /// <summary>The shadow enforces uniqueness only on a wider key; the run adds a temporary unique index over the key while it copies.</summary>
    public bool KeyWidened { get; init; }

    /// <param name="source">The original.</param>
    /// <param name="shadow">The shadow after the ALTER.</param>
    /// <param name="renames">Column renames of the ALTER (old → new).</param>
    /// <param name="recreated">Columns the ALTER drops and adds again: new columns whose old values are not carried.</param>
    public static MyMapping Build(MyTable source, MyTable shadow, IReadOnlyDictionary<string, string> renames, IReadOnlySet<string>? recreated = null)
    {
        var copied = new List<MyColumnMap>();
        var dropped = new List<string>();
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var column in source.Columns)
        {
            var target = renames.TryGetValue(column.Name, out var renamed) ? renamed : column.Name;
            var shadowColumn = recreated?.Contains(column.Name) == true ? null : shadow.Column(target);
            if (shadowColumn is null)
            {
                dropped.Add(column.Name);
                continue;
            }

            used.Add(shadowColumn.Name);
            // The server computes a generated column of the shadow; one that stops being generated
            // (MODIFY g INT) keeps the values the original computed, as the server's own ALTER does.
            if (!shadowColumn.IsGenerated)
            {
                copied.Add(new MyColumnMap(column, shadowColumn));
            }
        }

        var added = shadow.Columns.Where(c => !used.Contains(c.Name)).Select(c => c.Name).ToList();
        var index = source.IdentifyingKey() ?? throw new InvalidOperationException("no identifying key");
        var key = new List<MyColumnMap>();
        foreach (var name in index.Columns)
        {
            var map = copied.FirstOrDefault(c => string.Equals(c.SourceName, name, StringComparison.OrdinalIgnoreCase));
            if (map is null)
            {
                return new MyMapping(copied, [], index.Name, dropped, added);
            }

            key.Add(map);
        }

        // The shadow must still identify rows by the same columns, or idempotent apply breaks: a
        // unique index over exactly them, or a wider one that starts with them (range reads still
        // use it; a temporary unique index keeps them unique while the copy runs).
        var shadowKeyNames = key.Select(k => k.ShadowName).ToList();
        bool Starts(MyIndex i) => i.IsUnique && !i.HasPrefix && i.Columns.Count >= shadowKeyNames.Count
            && i.Columns.Take(shadowKeyNames.Count).Zip(shadowKeyNames).All(p => string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase));
        var exact = shadow.Indexes.FirstOrDefault(i => Starts(i) && i.Columns.Count == shadowKeyNames.Count);
        var wider = exact is null ? shadow.Indexes.FirstOrDefault(Starts) : null;
        var kept = exact ?? wider;
        return new MyMapping(copied, kept is null ? [] : key, index.Name, dropped, added) { ShadowKeyIndex = kept?.Name, KeyWidened = wider is not null };
    }
}
