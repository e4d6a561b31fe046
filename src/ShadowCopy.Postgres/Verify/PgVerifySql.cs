namespace ShadowCopy.Postgres.Verify;

/// <summary>
/// SQL text of verification: chunk checksums and per-key row hashes (delta verification, ADR 0019).
/// Pure, over the run's <see cref="PgStatements"/>.
/// </summary>
internal static class PgVerifySql
{
    private static readonly PgDialect D = PgDialect.Instance;
    // ---- delta verification (docs/adr/0019) ------------------------------------------------------

    /// <summary>
    /// Per key of the arrays $1…$n (one text array per key column): its 1-based position and the row
    /// hash the chunk checksums use, on one side; the original's changed columns cast to the new types.
    /// </summary>
    public static string KeyRowHashes(this PgStatements sql, bool shadowSide)
    {
        var alias = shadowSide ? "n" : "s";
        var row = shadowSide
            ? string.Join(", ", sql.Mapping.Copied.Select(c => $"n.{D.QuoteIdentifier(c.ShadowName)}"))
            : sql.SourceTypedColumnList("s");
        var keys = shadowSide ? sql.KeyShadow : sql.KeySource;
        return $"SELECT b.i, {sql.RowHashExpr(row)} FROM {sql.KeyArrays("b")} JOIN {(shadowSide ? sql.Shadow : sql.Source)} {alias} ON {PgStatements.RowExpr(keys.Select(k => $"{alias}.{k}"))} = {sql.TypedKeys("b")}"
               + (shadowSide ? string.Empty : sql.UsingScope("s"));
    }

    /// <summary>The 1-based positions of the keys ($1…$n) that still have an entry in the change log: a change to them is in flight.</summary>
    public static string PendingKeys(this PgStatements sql) =>
        $"SELECT b.i FROM {sql.KeyArrays("b")} WHERE EXISTS (SELECT 1 FROM {sql.Log} l WHERE {PgStatements.RowExpr(sql.KeySource.Select(k => "l." + k))} = {sql.TypedKeys("b")})";


    private static string TypedKeys(this PgStatements sql, string alias) => PgStatements.RowExpr(sql.Mapping.Key.Select((k, i) => $"{alias}.k{i}::{k.SourceType}"));

    // ---- verify -------------------------------------------------------------------------------

    /// <summary>
    /// Count and order-independent sum of 64-bit row hashes over the copied columns, cast to the new
    /// types (so the binary form also carries the same type oids on both sides).
    /// </summary>
    public static string SourceChecksum(this PgStatements sql, bool hasLower, bool hasUpper)
    {
        return sql.Checksum(sql.SourceTypedColumnList("s"), sql.Source + " s" + sql.UsingScope("s"), sql.RangePredicate("s", sql.KeySource, hasLower, hasUpper));
    }

    public static string ShadowChecksum(this PgStatements sql, bool hasLower, bool hasUpper)
    {
        var row = string.Join(", ", sql.Mapping.Copied.Select(c => $"n.{D.QuoteIdentifier(c.ShadowName)}"));
        return sql.Checksum(row, sql.Shadow + " n", sql.RangePredicate("n", sql.KeyShadow, hasLower, hasUpper));
    }

    /// <summary>
    /// sum() over bigint is exact (it accumulates in 128 bits or numeric) and returns numeric, and is
    /// cheaper than a sum over numeric. The row hash is one 64-bit hash over the whole row's bytes
    /// (ADR 0015), never a combination of per-column hashes: hash_record_extended over the columns
    /// themselves folds bigint and timestamps to 32 bits, equates 1.0 with 1.00 and cannot hash json.
    /// </summary>
    private static string Checksum(this PgStatements sql, string row, string from, string where) =>
        $"SELECT count(*), coalesce(sum({sql.RowHashExpr(row)}), 0) FROM {from}{where}";

    private static string RowHashExpr(this PgStatements sql, string row) => sql.RowHash == PgRowHash.Binary
        ? $"pg_catalog.hash_record_extended(ROW(pg_catalog.record_send(ROW({row}))), 0)"
        : $"pg_catalog.hashtextextended(ROW({row})::text, 0)";
}
