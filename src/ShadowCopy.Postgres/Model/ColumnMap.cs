namespace ShadowCopy.Postgres.Model;

/// <summary>
/// A column present in both shapes: its name and type on the original and on the shadow.
/// <paramref name="Using"/> is the ALTER's <c>USING</c> expression for the column, if any: the shadow's
/// value is that expression over the original row, not the original's value (ADR 0019).
/// </summary>
public sealed record ColumnMap(string SourceName, string ShadowName, string SourceType, string ShadowType, string? Using = null)
{
    public bool TypeChanged => !string.Equals(SourceType, ShadowType, StringComparison.Ordinal);
}
