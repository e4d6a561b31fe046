namespace ShadowCopy.Postgres.Copy;

/// <summary>
/// SQL text of the chunked copy: next chunk, next boundary (--threads), copy a range, delete a range.
/// Pure, over the run's <see cref="PgStatements"/>.
/// </summary>
internal static class PgCopySql
{
    private static readonly PgDialect D = PgDialect.Instance;

    // ---- copy ---------------------------------------------------------------------------------

    /// <summary>
    /// Reads the next chunk once and copies it: the first $n rows after the lower bound in key
    /// order are materialized, inserted, and their last key returned as the chunk's upper bound.
    /// (Choosing the bound with OFFSET first read every row twice.) Returns rows read, rows
    /// inserted, then the last key as text (NULLs when nothing was read). ON CONFLICT DO NOTHING
    /// skips rows already there (see <see cref="CopyRange"/>).
    /// </summary>
    public static string CopyNextChunk(this PgStatements sql, bool hasLower)
    {
        var columns = string.Join(", ", sql.Mapping.Copied.Select(c => D.QuoteIdentifier(c.SourceName)));
        return $"WITH c AS MATERIALIZED ({sql.NextChunkSelect(hasLower, false)}), "
               + $"i AS (INSERT INTO {sql.Shadow} ({sql.ShadowColumnList}) OVERRIDING SYSTEM VALUE SELECT {columns} FROM c ON CONFLICT DO NOTHING RETURNING 1) "
               + $"SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL ({LastKey(sql.KeySource, "c")}) AS l ON true";
    }

    /// <summary>
    /// <see cref="CopyNextChunk"/> as a plain insert: no speculative insertion, no materialized copy
    /// of the rows, so about half the cost. <paramref name="skipPresent"/> leaves out, by an anti-join
    /// over the shadow's keys in the range, the rows the applier put there ahead of the copy; the
    /// limit then counts only rows copied, and fewer than $n still means the original has no more.
    /// Returns rows copied (twice, in <see cref="CopyNextChunk"/>'s shape) and the last key copied.
    /// A conflict that is not left out (another unique index, a concurrent insert) fails the whole
    /// statement, and the caller copies the chunk with <see cref="CopyNextChunk"/> instead.
    /// </summary>
    public static string CopyNextChunkPlain(this PgStatements sql, bool hasLower, bool skipPresent) =>
        $"WITH i AS (INSERT INTO {sql.Shadow} ({sql.ShadowColumnList}) OVERRIDING SYSTEM VALUE {sql.NextChunkSelect(hasLower, skipPresent)} RETURNING {string.Join(", ", sql.KeyShadow)}) "
        + $"SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL ({LastKey(sql.KeyShadow, "i")}) AS l ON true";

    /// <summary>Whether the shadow holds a row in the key range (an index probe): if not, the copy needs no anti-join.</summary>
    public static string FirstShadowRow(this PgStatements sql, bool hasLower, bool hasUpper) =>
        $"SELECT 1 FROM {sql.Shadow} n" + sql.RangePredicate("n", sql.KeyShadow, hasLower, hasUpper)
        + $" ORDER BY {string.Join(", ", sql.KeyShadow.Select(k => "n." + k))} LIMIT 1";

    private static string NextChunkSelect(this PgStatements sql, bool hasLower, bool skipPresent)
    {
        var conditions = sql.RangeConditions("s", sql.KeySource, hasLower, false);
        if (skipPresent)
        {
            conditions.Add(sql.NotInShadow(hasLower, false));
        }

        var where = conditions.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", conditions);
        var limit = hasLower ? sql.Mapping.Key.Count + 1 : 1;
        return $"SELECT {sql.SourceColumnList("s")} FROM {sql.Source} s{sql.UsingScope("s")}{where} ORDER BY {string.Join(", ", sql.KeySource.Select(k => "s." + k))} LIMIT ${limit}";
    }

    /// <summary>
    /// The source row s has no shadow row with its key. The shadow side is bounded by the same range,
    /// so the anti-join reads only the few rows the applier put there (a merge or hash anti-join).
    /// </summary>
    private static string NotInShadow(this PgStatements sql, bool hasLower, bool hasUpper)
    {
        var conditions = sql.RangeConditions("n", sql.KeyShadow, hasLower, hasUpper);
        conditions.Insert(0, $"{PgStatements.RowExpr(sql.KeyShadow.Select(k => "n." + k))} = {PgStatements.RowExpr(sql.KeySource.Select(k => "s." + k))}");
        return $"NOT EXISTS (SELECT 1 FROM {sql.Shadow} n WHERE {string.Join(" AND ", conditions)})";
    }

    /// <summary>
    /// The greatest key among the rows of <paramref name="from"/>, as text columns k0, k1…, by the key's
    /// own ORDER BY: no aggregate, because a key type need not have one (uuid, inet, enums and bytea have
    /// no max() on PostgreSQL 15), and the sort uses the column's collation and default operator class,
    /// as the btree key does. A top-1 sort over one chunk's rows costs about as much as max().
    /// </summary>
    private static string LastKey(IEnumerable<string> keys, string from)
    {
        var list = keys.ToList();
        return $"SELECT {string.Join(", ", list.Select((k, i) => $"{k}::text AS k{i}"))} FROM {from} ORDER BY {string.Join(", ", list.Select(k => k + " DESC"))} LIMIT 1";
    }

    /// <summary>
    /// --threads: the key that ends the next chunk of $n+1 rows after the lower bound (keys only,
    /// an index scan), or no row when fewer remain. $n is the chunk size minus one.
    /// </summary>
    public static string NextBoundary(this PgStatements sql, bool hasLower)
    {
        var keyTypes = sql.Mapping.Key.Select(k => k.SourceType).ToList();
        var where = hasLower ? $" WHERE {PgStatements.RowExpr(sql.KeySource.Select(k => "s." + k))} > {PgStatements.Params(1, keyTypes)}" : string.Empty;
        var offset = hasLower ? keyTypes.Count + 1 : 1;
        return $"SELECT {string.Join(", ", sql.KeySource.Select((k, i) => $"s.{k}::text AS k{i}"))} FROM {sql.Source} s{where} "
               + $"ORDER BY {string.Join(", ", sql.KeySource.Select(k => "s." + k))} OFFSET ${offset} LIMIT 1";
    }

    /// <summary>
    /// Copies one key range. ON CONFLICT DO NOTHING: a row already there came from the applier,
    /// which read it no earlier than this statement's snapshot and will see any later change
    /// in the log (docs/architecture.md, "why the copy may skip a conflicting row").
    /// </summary>
    public static string CopyRange(this PgStatements sql, bool hasLower, bool hasUpper) => sql.CopyRangePlain(hasLower, hasUpper, false) + " ON CONFLICT DO NOTHING";

    /// <summary><see cref="CopyRange"/> as a plain insert (see <see cref="CopyNextChunkPlain"/>).</summary>
    public static string CopyRangePlain(this PgStatements sql, bool hasLower, bool hasUpper, bool skipPresent)
    {
        var conditions = sql.RangeConditions("s", sql.KeySource, hasLower, hasUpper);
        if (skipPresent)
        {
            conditions.Add(sql.NotInShadow(hasLower, hasUpper));
        }

        return $"INSERT INTO {sql.Shadow} ({sql.ShadowColumnList}) OVERRIDING SYSTEM VALUE SELECT {sql.SourceColumnList("s")} FROM {sql.Source} s{sql.UsingScope("s")}"
               + (conditions.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", conditions));
    }

    public static string DeleteShadowRange(this PgStatements sql, bool hasLower, bool hasUpper) =>
        $"DELETE FROM {sql.Shadow} n" + sql.RangePredicate("n", sql.KeyShadow, hasLower, hasUpper);
}
