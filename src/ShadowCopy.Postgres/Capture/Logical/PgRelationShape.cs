namespace ShadowCopy.Postgres.Capture.Logical;

/// <summary>The column list of the original as the stream's RELATION message announced it.</summary>
internal sealed class PgRelationShape(IReadOnlyList<string> columns)
{
    public IReadOnlyList<string> Columns { get; } = columns;
}
