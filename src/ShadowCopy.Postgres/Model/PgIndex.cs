namespace ShadowCopy.Postgres.Model;

/// <summary>An index and, when it backs one, its constraint (p = primary key, u = unique, x = exclusion).</summary>
public sealed record PgIndex(
    uint Oid,
    string Name,
    bool IsPrimary,
    bool IsUnique,
    bool IsValid,
    bool HasPredicate,
    IReadOnlyList<short> Columns,
    string Definition,
    string? ConstraintType,
    string? ConstraintName,
    string? ConstraintDefinition,
    bool ConstraintDeferrable,
    bool IsReplicaIdentity);
