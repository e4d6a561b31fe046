using System.Globalization;
using System.Text;

namespace ShadowCopy.Postgres.Capture.Trigger;

/// <summary>
/// SQL text of trigger capture (ADR 0002): the change log, its trigger, and the applier that re-copies
/// logged keys through a per-session batch table (also used to re-apply keys after a delta mismatch).
/// Pure, over the run's <see cref="PgStatements"/>.
/// </summary>
internal static class PgTriggerSql
{
    public const string BatchTable = "pg_temp.\"_shadowcopy_batch\"";

    private static readonly PgDialect D = PgDialect.Instance;

    // ---- change log and triggers -------------------------------------------------------------

    public static string CreateLogTable(this PgStatements sql) =>
        $"CREATE TABLE {sql.Log} ({sql.LogSequence} bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        + string.Join(", ", sql.Mapping.Key.Select(k => $"{D.QuoteIdentifier(k.SourceName)} {k.SourceType}")) + ")";

    public static string CreateTriggerFunction(this PgStatements sql)
    {
        string Values(string row) => string.Join(", ", sql.KeySource.Select(k => $"{row}.{k}"));
        var columns = string.Join(", ", sql.KeySource);
        var insertNew = $"INSERT INTO {sql.Log} ({columns}) VALUES ({Values("NEW")});";
        var insertOld = $"INSERT INTO {sql.Log} ({columns}) VALUES ({Values("OLD")});";
        var body = new StringBuilder()
            .AppendLine()
            .AppendLine("BEGIN")
            .AppendLine("  IF TG_OP = 'INSERT' THEN")
            .AppendLine(CultureInfo.InvariantCulture, $"    {insertNew}")
            .AppendLine("  ELSIF TG_OP = 'DELETE' THEN")
            .AppendLine(CultureInfo.InvariantCulture, $"    {insertOld}")
            .AppendLine("  ELSE")
            .AppendLine(CultureInfo.InvariantCulture, $"    {insertNew}")
            // A key update logs both keys: the old one is deleted from the shadow, the new one copied.
            .AppendLine(CultureInfo.InvariantCulture, $"    IF ({Values("OLD")}) IS DISTINCT FROM ({Values("NEW")}) THEN")
            .AppendLine(CultureInfo.InvariantCulture, $"      {insertOld}")
            .AppendLine("    END IF;")
            .AppendLine("  END IF;")
            .AppendLine("  RETURN NULL;")
            .Append("END")
            .AppendLine()
            .ToString();
        var tag = DollarTag(body);
                // SECURITY DEFINER: application roles that write the table need no privilege on the log.
        // A fixed search_path keeps a definer function from resolving anything a caller planted.
        return $"CREATE FUNCTION {sql.Function}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS {tag}{body}{tag}";
    }

    public static string CreateTrigger(this PgStatements sql) =>
        $"CREATE TRIGGER {sql.Trigger} AFTER INSERT OR UPDATE OR DELETE ON {sql.Source} FOR EACH ROW EXECUTE FUNCTION {sql.Function}()";

    public static string DropTrigger(this PgStatements sql, string table) => $"DROP TRIGGER IF EXISTS {sql.Trigger} ON {table}";

    // ---- apply --------------------------------------------------------------------------------

    public static string CreateBatchTable(this PgStatements sql) =>
        $"CREATE TEMP TABLE IF NOT EXISTS {BatchTable} ("
        + string.Join(", ", sql.Mapping.Key.Select(k => $"{D.QuoteIdentifier(k.SourceName)} {k.SourceType}"))
        + ") ON COMMIT DELETE ROWS";

    public static string ClearBatchTable() => $"TRUNCATE {BatchTable}";

    /// <summary>Takes the oldest $1 log rows (removing them) and stages their distinct keys.</summary>
    public static string TakeBatch(this PgStatements sql)
    {
        var keys = string.Join(", ", sql.KeySource);
        return $"WITH d AS (DELETE FROM {sql.Log} WHERE {sql.LogSequence} IN (SELECT {sql.LogSequence} FROM {sql.Log} ORDER BY {sql.LogSequence} LIMIT $1) RETURNING {keys}), "
               + $"i AS (INSERT INTO {BatchTable} ({keys}) SELECT DISTINCT {keys} FROM d RETURNING 1) "
               + "SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM i)";
    }

    public static string DeleteBatchFromShadow(this PgStatements sql) =>
        $"DELETE FROM {sql.Shadow} n USING {BatchTable} b WHERE {PgStatements.RowExpr(sql.KeyShadow.Select(k => "n." + k))} = {PgStatements.RowExpr(sql.KeySource.Select(k => "b." + k))}";

    /// <summary>
    /// For each other unique index: removes shadow rows that would collide with a row being
    /// re-copied. Such a row is stale (the original is unique at this snapshot), so its own key
    /// has an unapplied log entry that will copy it back. Rows are re-read from the original in
    /// the same REPEATABLE READ snapshot as the log rows taken.
    /// </summary>
    public static IEnumerable<string> DeleteUniqueCollisions(this PgStatements sql)
    {
        var byName = sql.Mapping.Copied.Select((c, i) => (c, i)).ToDictionary(p => p.c.SourceName, StringComparer.Ordinal);
        foreach (var unique in sql.SecondaryUniques)
        {
            var shadowSide = PgStatements.RowExpr(unique.Select(c => "n." + D.QuoteIdentifier(byName[c].c.ShadowName)));
            var sourceSide = PgStatements.RowExpr(unique.Select(c => byName[c].c.Using is null ? "s." + D.QuoteIdentifier(c) : $"{PgStatements.UsingAlias}.v{byName[c].i}::{byName[c].c.ShadowType}"));
            yield return $"DELETE FROM {sql.Shadow} n USING {sql.Source} s JOIN {BatchTable} b ON {sql.JoinKey("s", "b")}{sql.UsingScope("s")} WHERE {shadowSide} = {sourceSide}";
        }
    }

    public static string InsertBatchIntoShadow(this PgStatements sql) =>
        $"INSERT INTO {sql.Shadow} ({sql.ShadowColumnList}) OVERRIDING SYSTEM VALUE SELECT {sql.SourceColumnList("s")} FROM {sql.Source} s "
        + $"JOIN {BatchTable} b ON {sql.JoinKey("s", "b")}{sql.UsingScope("s")} ON CONFLICT DO NOTHING";

    public static string Backlog(this PgStatements sql) => $"SELECT coalesce(max({sql.LogSequence}) - min({sql.LogSequence}) + 1, 0) FROM {sql.Log}";

    /// <summary>The keys of the batch staged by <see cref="TakeBatch"/>, as text (for delta verification).</summary>
    public static string BatchKeys(this PgStatements sql) =>
        $"SELECT {string.Join(", ", sql.KeySource.Select(k => k + "::text"))} FROM {BatchTable}";

    /// <summary>Stages keys given as text arrays ($1…$n, one per key column) for a re-apply by the applier's own statements.</summary>
    public static string StageKeys(this PgStatements sql) =>
        $"INSERT INTO {BatchTable} ({string.Join(", ", sql.KeySource)}) SELECT DISTINCT {string.Join(", ", sql.Mapping.Key.Select((k, i) => $"b.k{i}::{k.SourceType}"))} FROM {sql.KeyArrays("b")}";

    /// <summary>A dollar-quote tag that does not occur in the body (hostile column names cannot close it).</summary>
    private static string DollarTag(string body)
    {
        for (var n = 0; ; n++)
        {
            var tag = n == 0 ? "$shadowcopy$" : $"$shadowcopy{n}$";
            if (!body.Contains(tag, StringComparison.Ordinal))
            {
                return tag;
            }
        }
    }
}
