namespace ShadowCopy.Core.Verification;

/// <summary>
/// One row's key as its provider spells it (MySQL: SQL literals typed like the original's key
/// columns; PostgreSQL: the key values' text forms). Core only stores, compares and counts keys;
/// the provider that made a key is the only one that reads its parts. Compared ordinally.
/// </summary>
public sealed class RowKey : IEquatable<RowKey>
{
    private readonly string[] _parts;
    private readonly int _hash;

    public RowKey(IReadOnlyList<string> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        _parts = [.. parts];
        var hash = default(HashCode);
        foreach (var part in _parts)
        {
            hash.Add(part, StringComparer.Ordinal);
        }

        _hash = hash.ToHashCode();
    }

    public IReadOnlyList<string> Parts => _parts;

    public bool Equals(RowKey? other) =>
        other is not null && other._hash == _hash && _parts.AsSpan().SequenceEqual(other._parts, StringComparer.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as RowKey);

    public override int GetHashCode() => _hash;

    public override string ToString() => "(" + string.Join(", ", _parts) + ")";
}
