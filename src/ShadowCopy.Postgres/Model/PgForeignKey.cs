namespace ShadowCopy.Postgres.Model;

/// <summary>A foreign key: the referencing side's table and columns, the referenced side's, and its actions.</summary>
public sealed record PgForeignKey(
    string Name,
    string ChildSchema,
    string ChildTable,
    IReadOnlyList<string> ChildColumns,
    IReadOnlyList<short> ChildAttNums,
    string ParentSchema,
    string ParentTable,
    IReadOnlyList<string> ParentColumns,
    IReadOnlyList<short> ParentAttNums,
    string Tail);
