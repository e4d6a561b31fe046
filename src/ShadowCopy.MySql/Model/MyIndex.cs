namespace ShadowCopy.MySql.Model;

/// <summary>An index; <see cref="HasPrefix"/> marks a prefix part, which cannot identify rows.</summary>
internal sealed record MyIndex(string Name, bool IsUnique, IReadOnlyList<string> Columns, bool HasPrefix)
{
    public bool IsPrimary => Name == "PRIMARY";
}
