namespace ShadowCopy.MySql.Model;

internal sealed record MyTable(string Schema, string Name, IReadOnlyList<MyColumn> Columns, IReadOnlyList<MyIndex> Indexes)
{
    public MyColumn? Column(string name) => Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The primary key, else the first unique key over NOT NULL columns without prefixes. A primary key
    /// with a prefix part (<c>PRIMARY KEY (name(10))</c>) is passed over too: its index orders rows by
    /// the prefix, so chunks in the columns' order would not be index ranges.
    /// </summary>
    public MyIndex? IdentifyingKey() =>
        Indexes.FirstOrDefault(i => i.IsPrimary && !i.HasPrefix)
        ?? Indexes.FirstOrDefault(i => i.IsUnique && !i.HasPrefix && i.Columns.All(c => Column(c) is { IsNullable: false, IsGenerated: false }));
}
