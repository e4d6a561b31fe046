namespace ShadowCopy.MySql.Model;

/// <summary>
/// How rows move from the original to the shadow: columns matched by name (MySQL column names are
/// case-insensitive) after the ALTER's renames; generated columns are never written (the server
/// computes them); the key is the original's identifying key, which the shadow must keep.
/// </summary>
internal sealed record MyMapping(IReadOnlyList<MyColumnMap> Copied, IReadOnlyList<MyColumnMap> Key, string KeyIndex, IReadOnlyList<string> Dropped, IReadOnlyList<string> Added)
{
    public static MyMapping Build(MyTable source, MyTable shadow, IReadOnlyDictionary<string, string> renames)
    {
        var copied = new List<MyColumnMap>();
        var dropped = new List<string>();
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var column in source.Columns)
        {
            var target = renames.TryGetValue(column.Name, out var renamed) ? renamed : column.Name;
            var shadowColumn = shadow.Column(target);
            if (shadowColumn is null)
            {
                dropped.Add(column.Name);
                continue;
            }

            used.Add(shadowColumn.Name);
            if (!column.IsGenerated && !shadowColumn.IsGenerated)
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

        // The shadow must still identify rows by the same columns, or idempotent apply breaks.
        var shadowKeyNames = key.Select(k => k.ShadowName).ToList();
        var kept = shadow.Indexes.Any(i => i.IsUnique && !i.HasPrefix && i.Columns.Count == shadowKeyNames.Count
            && i.Columns.Zip(shadowKeyNames).All(p => string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase)));
        return new MyMapping(copied, kept ? key : [], index.Name, dropped, added);
    }
}
