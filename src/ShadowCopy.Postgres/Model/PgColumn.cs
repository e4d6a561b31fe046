namespace ShadowCopy.Postgres.Model;

/// <summary>
/// A live column. <paramref name="Generated"/> is 's' for a stored generated column, and
/// <paramref name="Expression"/> its generation expression as the server deparses it (column names
/// unqualified); <paramref name="Identity"/> 'a'/'d' for identity.
/// </summary>
public sealed record PgColumn(short AttNum, string Name, string Type, bool NotNull, string Generated, string Identity, string? Collation, string? Expression = null);
