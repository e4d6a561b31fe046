namespace ShadowCopy.Postgres.Model;

/// <summary>A sequence tied to a column: 'a' = serial (OWNED BY), 'i' = identity.</summary>
public sealed record PgSequenceLink(short AttNum, string Schema, string Name, string DependencyType);
