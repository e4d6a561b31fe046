namespace ShadowCopy.Postgres.Model;

/// <summary>What the catalog says about one table.</summary>
public sealed record PgTable(
    uint Oid,
    string Schema,
    string Name,
    string Kind,
    string Persistence,
    string Owner,
    bool CanOwn,
    bool CanCreateInSchema,
    long EstimatedRows,
    long Bytes,
    bool RowSecurity,
    bool IsPartition,
    bool HasInheritance,
    IReadOnlyList<string> RelOptions,
    string ReplicaIdentity,
    string? Tablespace,
    string? Comment,
    IReadOnlyList<PgColumn> Columns,
    IReadOnlyList<PgIndex> Indexes,
    IReadOnlyList<PgSequenceLink> Sequences,
    IReadOnlyList<PgForeignKey> OutgoingForeignKeys,
    IReadOnlyList<PgForeignKey> IncomingForeignKeys,
    IReadOnlyList<string> DependentViews,
    IReadOnlyList<string> UserTriggers,
    IReadOnlyList<string> Publications)
{
    /// <summary>Publications that would also publish new tables in this schema (FOR ALL TABLES, FOR TABLES IN SCHEMA).</summary>
    public IReadOnlyList<string> AutoPublications { get; init; } = [];
}
