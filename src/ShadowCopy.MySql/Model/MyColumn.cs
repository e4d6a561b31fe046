namespace ShadowCopy.MySql.Model;

/// <summary>One column as SHOW FULL COLUMNS reports it (works for temporary tables too).</summary>
internal sealed record MyColumn(string Name, string ColumnType, string? Collation, bool IsNullable, bool IsGenerated, bool IsAutoIncrement, string? Default)
{
    /// <summary>The base type without length or attributes: <c>varchar</c>, <c>int</c>, <c>enum</c>…</summary>
    public string DataType
    {
        get
        {
            var end = ColumnType.IndexOfAny(['(', ' ']);
            return (end < 0 ? ColumnType : ColumnType[..end]).ToLowerInvariant();
        }
    }

    public bool IsText => Collation is not null;

    public bool IsFloat => DataType is "float";

    public bool IsUnsigned => ColumnType.Contains("unsigned", StringComparison.OrdinalIgnoreCase);
}
