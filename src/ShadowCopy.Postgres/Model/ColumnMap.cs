namespace ShadowCopy.Postgres.Model;

/// <summary>A column present in both shapes: its name and type on the original and on the shadow.</summary>
public sealed record ColumnMap(string SourceName, string ShadowName, string SourceType, string ShadowType)
{
    public bool TypeChanged => !string.Equals(SourceType, ShadowType, StringComparison.Ordinal);
}
