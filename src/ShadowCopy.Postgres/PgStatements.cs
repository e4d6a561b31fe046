using System.Globalization;
using System.Text;
using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Verify;

namespace ShadowCopy.Postgres;

/// <summary>
/// SQL text for the copy, the change log, the applier and the checksums. Pure: no I/O. Names go
/// through <see cref="PgDialect.QuoteIdentifier"/>; key values travel as text parameters cast to
/// the key's type, which round-trips every type that can be a btree key.
/// </summary>
internal sealed class PgStatements
{
    public const string BatchTable = "pg_temp.\"_shadowcopy_batch\"";

    private static readonly PgDialect D = PgDialect.Instance;

    public PgStatements(TableName source, HelperObjectNames names, PgMapping mapping, IReadOnlyList<IReadOnlyList<string>> shadowUniqueSourceColumns, PgRowHash rowHash = PgRowHash.Text)
    {
        Source = D.Qualified(source);
        Shadow = D.Qualified(source.Schema, names.Shadow);
        Log = D.Qualified(source.Schema, names.ChangeLog);
        Function = D.Qualified(source.Schema, names.Function);
        Trigger = D.QuoteIdentifier(names.Trigger);
        Mapping = mapping;
        RowAlias = D.QuoteIdentifier(source.Name);
        SecondaryUniques = shadowUniqueSourceColumns;
        RowHash = rowHash;
        var sequence = "_shadowcopy_seq";
        while (mapping.Key.Any(k => k.SourceName == sequence))
        {
            sequence += "_";
        }

        LogSequence = D.QuoteIdentifier(sequence);
    }

    /// <summary>The change log's ordering column, named so it cannot collide with a key column.</summary>
    public string LogSequence { get; }

    public string Source { get; }

    public string Shadow { get; }

    public string Log { get; }

    public string Function { get; }

    public string Trigger { get; }

    public PgMapping Mapping { get; }

    /// <summary>
    /// The name a USING expression sees the original's row under: the table's own name, so that
    /// <c>USING (t.c * 2)</c> resolves as it does in the server's ALTER.
    /// </summary>
    public string RowAlias { get; }

    /// <summary>Unique indexes of the shadow other than the key, as the original's column names.</summary>
    public IReadOnlyList<IReadOnlyList<string>> SecondaryUniques { get; }

    /// <summary>The row hash the checksums use; both sides of a comparison must use the same one.</summary>
    public PgRowHash RowHash { get; }

    private IEnumerable<string> KeySource => Mapping.Key.Select(k => D.QuoteIdentifier(k.SourceName));

    private IEnumerable<string> KeyShadow => Mapping.Key.Select(k => D.QuoteIdentifier(k.ShadowName));

    private string ShadowColumnList => string.Join(", ", Mapping.Copied.Select(c => D.QuoteIdentifier(c.ShadowName)));

    /// <summary>
    /// What the copy inserts into the shadow, from the original's row <paramref name="alias"/>: each
    /// column's value (the insert's assignment cast converts it, as the server's ALTER does), or the
    /// value of its USING expression (named after the column). A statement that uses it must add
    /// <see cref="UsingScope"/> after its FROM items.
    /// </summary>
    private string SourceColumnList(string alias) => string.Join(", ", Mapping.Copied.Select((c, i) => c.Using is null
        ? $"{alias}.{D.QuoteIdentifier(c.SourceName)}"
        : $"{UsingAlias}.v{i} AS {D.QuoteIdentifier(c.SourceName)}"));

    /// <summary>The shadow's value of each copied column typed as the shadow's column, for the checksums.</summary>
    private string SourceTypedColumnList(string alias) => string.Join(", ", Mapping.Copied.Select((c, i) => c.Using is not null
        ? $"{UsingAlias}.v{i}::{c.ShadowType}"
        : c.TypeChanged ? $"{alias}.{D.QuoteIdentifier(c.SourceName)}::{c.ShadowType}" : $"{alias}.{D.QuoteIdentifier(c.SourceName)}"));

    private const string UsingAlias = "\"_shadowcopy_using\"";

    /// <summary>
    /// The USING expressions over the original's row <paramref name="alias"/>, as a lateral join
    /// (empty without USING). The expressions see only a derived table named like the original with
    /// all its live columns, so they resolve exactly as in the server's ALTER and never against the
    /// statement's other tables; the planner flattens the subqueries into plain expressions.
    /// </summary>
    private string UsingScope(string alias)
    {
        if (!Mapping.HasUsing)
        {
            return string.Empty;
        }

        var values = string.Join(", ", Mapping.Copied.Select((c, i) => (c, i)).Where(p => p.c.Using is not null).Select(p => $"({p.c.Using}) AS v{p.i}"));
        var row = RowColumns.Select(D.QuoteIdentifier).ToList();
        return $" CROSS JOIN LATERAL (SELECT {values} FROM (SELECT {string.Join(", ", row.Select(c => $"{alias}.{c}"))}) AS {RowAlias}({string.Join(", ", row)})) AS {UsingAlias}";
    }

    /// <summary>The original's live columns, which a USING expression may reference.</summary>
    public IReadOnlyList<string> RowColumns => Mapping.SourceColumns.Count > 0
        ? Mapping.SourceColumns.Select(c => c.Name).ToList()
        : Mapping.Copied.Select(c => c.SourceName).ToList();

    // ---- change log and triggers -------------------------------------------------------------

    public string CreateLogTable() =>
        $"CREATE TABLE {Log} ({LogSequence} bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
        + string.Join(", ", Mapping.Key.Select(k => $"{D.QuoteIdentifier(k.SourceName)} {k.SourceType}")) + ")";

    public string CreateTriggerFunction()
    {
        string Values(string row) => string.Join(", ", KeySource.Select(k => $"{row}.{k}"));
        var columns = string.Join(", ", KeySource);
        var insertNew = $"INSERT INTO {Log} ({columns}) VALUES ({Values("NEW")});";
        var insertOld = $"INSERT INTO {Log} ({columns}) VALUES ({Values("OLD")});";
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
        return $"CREATE FUNCTION {Function}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS {tag}{body}{tag}";
    }

    public string CreateTrigger() =>
        $"CREATE TRIGGER {Trigger} AFTER INSERT OR UPDATE OR DELETE ON {Source} FOR EACH ROW EXECUTE FUNCTION {Function}()";

    public string DropTrigger(string table) => $"DROP TRIGGER IF EXISTS {Trigger} ON {table}";

    // ---- copy ---------------------------------------------------------------------------------

    /// <summary>
    /// Reads the next chunk once and copies it: the first $n rows after the lower bound in key
    /// order are materialized, inserted, and their last key returned as the chunk's upper bound.
    /// (Choosing the bound with OFFSET first read every row twice.) Returns rows read, rows
    /// inserted, then the last key as text (NULLs when nothing was read). ON CONFLICT DO NOTHING
    /// skips rows already there (see <see cref="CopyRange"/>).
    /// </summary>
    public string CopyNextChunk(bool hasLower)
    {
        var columns = string.Join(", ", Mapping.Copied.Select(c => D.QuoteIdentifier(c.SourceName)));
        return $"WITH c AS MATERIALIZED ({NextChunkSelect(hasLower, false)}), "
               + $"i AS (INSERT INTO {Shadow} ({ShadowColumnList}) OVERRIDING SYSTEM VALUE SELECT {columns} FROM c ON CONFLICT DO NOTHING RETURNING 1) "
               + $"SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL ({LastKey(KeySource, "c")}) AS l ON true";
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
    public string CopyNextChunkPlain(bool hasLower, bool skipPresent) =>
        $"WITH i AS (INSERT INTO {Shadow} ({ShadowColumnList}) OVERRIDING SYSTEM VALUE {NextChunkSelect(hasLower, skipPresent)} RETURNING {string.Join(", ", KeyShadow)}) "
        + $"SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL ({LastKey(KeyShadow, "i")}) AS l ON true";

    /// <summary>Whether the shadow holds a row in the key range (an index probe): if not, the copy needs no anti-join.</summary>
    public string FirstShadowRow(bool hasLower, bool hasUpper) =>
        $"SELECT 1 FROM {Shadow} n" + RangePredicate("n", KeyShadow, hasLower, hasUpper)
        + $" ORDER BY {string.Join(", ", KeyShadow.Select(k => "n." + k))} LIMIT 1";

    private string NextChunkSelect(bool hasLower, bool skipPresent)
    {
        var conditions = RangeConditions("s", KeySource, hasLower, false);
        if (skipPresent)
        {
            conditions.Add(NotInShadow(hasLower, false));
        }

        var where = conditions.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", conditions);
        var limit = hasLower ? Mapping.Key.Count + 1 : 1;
        return $"SELECT {SourceColumnList("s")} FROM {Source} s{UsingScope("s")}{where} ORDER BY {string.Join(", ", KeySource.Select(k => "s." + k))} LIMIT ${limit}";
    }

    /// <summary>
    /// The source row s has no shadow row with its key. The shadow side is bounded by the same range,
    /// so the anti-join reads only the few rows the applier put there (a merge or hash anti-join).
    /// </summary>
    private string NotInShadow(bool hasLower, bool hasUpper)
    {
        var conditions = RangeConditions("n", KeyShadow, hasLower, hasUpper);
        conditions.Insert(0, $"{RowExpr(KeyShadow.Select(k => "n." + k))} = {RowExpr(KeySource.Select(k => "s." + k))}");
        return $"NOT EXISTS (SELECT 1 FROM {Shadow} n WHERE {string.Join(" AND ", conditions)})";
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
    public string NextBoundary(bool hasLower)
    {
        var keyTypes = Mapping.Key.Select(k => k.SourceType).ToList();
        var where = hasLower ? $" WHERE {RowExpr(KeySource.Select(k => "s." + k))} > {Params(1, keyTypes)}" : string.Empty;
        var offset = hasLower ? keyTypes.Count + 1 : 1;
        return $"SELECT {string.Join(", ", KeySource.Select((k, i) => $"s.{k}::text AS k{i}"))} FROM {Source} s{where} "
               + $"ORDER BY {string.Join(", ", KeySource.Select(k => "s." + k))} OFFSET ${offset} LIMIT 1";
    }

    /// <summary>
    /// Copies one key range. ON CONFLICT DO NOTHING: a row already there came from the applier,
    /// which read it no earlier than this statement's snapshot and will see any later change
    /// in the log (docs/architecture.md, "why the copy may skip a conflicting row").
    /// </summary>
    public string CopyRange(bool hasLower, bool hasUpper) => CopyRangePlain(hasLower, hasUpper, false) + " ON CONFLICT DO NOTHING";

    /// <summary><see cref="CopyRange"/> as a plain insert (see <see cref="CopyNextChunkPlain"/>).</summary>
    public string CopyRangePlain(bool hasLower, bool hasUpper, bool skipPresent)
    {
        var conditions = RangeConditions("s", KeySource, hasLower, hasUpper);
        if (skipPresent)
        {
            conditions.Add(NotInShadow(hasLower, hasUpper));
        }

        return $"INSERT INTO {Shadow} ({ShadowColumnList}) OVERRIDING SYSTEM VALUE SELECT {SourceColumnList("s")} FROM {Source} s{UsingScope("s")}"
               + (conditions.Count == 0 ? string.Empty : " WHERE " + string.Join(" AND ", conditions));
    }

    public string DeleteShadowRange(bool hasLower, bool hasUpper) =>
        $"DELETE FROM {Shadow} n" + RangePredicate("n", KeyShadow, hasLower, hasUpper);

    // ---- apply --------------------------------------------------------------------------------

    public string CreateBatchTable() =>
        $"CREATE TEMP TABLE IF NOT EXISTS {BatchTable} ("
        + string.Join(", ", Mapping.Key.Select(k => $"{D.QuoteIdentifier(k.SourceName)} {k.SourceType}"))
        + ") ON COMMIT DELETE ROWS";

    public static string ClearBatchTable() => $"TRUNCATE {BatchTable}";

    /// <summary>Takes the oldest $1 log rows (removing them) and stages their distinct keys.</summary>
    public string TakeBatch()
    {
        var keys = string.Join(", ", KeySource);
        return $"WITH d AS (DELETE FROM {Log} WHERE {LogSequence} IN (SELECT {LogSequence} FROM {Log} ORDER BY {LogSequence} LIMIT $1) RETURNING {keys}), "
               + $"i AS (INSERT INTO {BatchTable} ({keys}) SELECT DISTINCT {keys} FROM d RETURNING 1) "
               + "SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM i)";
    }

    public string DeleteBatchFromShadow() =>
        $"DELETE FROM {Shadow} n USING {BatchTable} b WHERE {RowExpr(KeyShadow.Select(k => "n." + k))} = {RowExpr(KeySource.Select(k => "b." + k))}";

    /// <summary>
    /// For each other unique index: removes shadow rows that would collide with a row being
    /// re-copied. Such a row is stale (the original is unique at this snapshot), so its own key
    /// has an unapplied log entry that will copy it back. Rows are re-read from the original in
    /// the same REPEATABLE READ snapshot as the log rows taken.
    /// </summary>
    public IEnumerable<string> DeleteUniqueCollisions()
    {
        var byName = Mapping.Copied.Select((c, i) => (c, i)).ToDictionary(p => p.c.SourceName, StringComparer.Ordinal);
        foreach (var unique in SecondaryUniques)
        {
            var shadowSide = RowExpr(unique.Select(c => "n." + D.QuoteIdentifier(byName[c].c.ShadowName)));
            var sourceSide = RowExpr(unique.Select(c => byName[c].c.Using is null ? "s." + D.QuoteIdentifier(c) : $"{UsingAlias}.v{byName[c].i}::{byName[c].c.ShadowType}"));
            yield return $"DELETE FROM {Shadow} n USING {Source} s JOIN {BatchTable} b ON {JoinKey("s", "b")}{UsingScope("s")} WHERE {shadowSide} = {sourceSide}";
        }
    }

    public string InsertBatchIntoShadow() =>
        $"INSERT INTO {Shadow} ({ShadowColumnList}) OVERRIDING SYSTEM VALUE SELECT {SourceColumnList("s")} FROM {Source} s "
        + $"JOIN {BatchTable} b ON {JoinKey("s", "b")}{UsingScope("s")} ON CONFLICT DO NOTHING";

    public string Backlog() => $"SELECT coalesce(max({LogSequence}) - min({LogSequence}) + 1, 0) FROM {Log}";

    /// <summary>The keys of the batch staged by <see cref="TakeBatch"/>, as text (for delta verification).</summary>
    public string BatchKeys() =>
        $"SELECT {string.Join(", ", KeySource.Select(k => k + "::text"))} FROM {BatchTable}";

    /// <summary>Stages keys given as text arrays ($1…$n, one per key column) for a re-apply by the applier's own statements.</summary>
    public string StageKeys() =>
        $"INSERT INTO {BatchTable} ({string.Join(", ", KeySource)}) SELECT DISTINCT {string.Join(", ", Mapping.Key.Select((k, i) => $"b.k{i}::{k.SourceType}"))} FROM {KeyArrays("b")}";

    // ---- delta verification (docs/adr/0019) ------------------------------------------------------

    /// <summary>
    /// Per key of the arrays $1…$n (one text array per key column): its 1-based position and the row
    /// hash the chunk checksums use, on one side; the original's changed columns cast to the new types.
    /// </summary>
    public string KeyRowHashes(bool shadowSide)
    {
        var alias = shadowSide ? "n" : "s";
        var row = shadowSide
            ? string.Join(", ", Mapping.Copied.Select(c => $"n.{D.QuoteIdentifier(c.ShadowName)}"))
            : SourceTypedColumnList("s");
        var keys = shadowSide ? KeyShadow : KeySource;
        return $"SELECT b.i, {RowHashExpr(row)} FROM {KeyArrays("b")} JOIN {(shadowSide ? Shadow : Source)} {alias} ON {RowExpr(keys.Select(k => $"{alias}.{k}"))} = {TypedKeys("b")}"
               + (shadowSide ? string.Empty : UsingScope("s"));
    }

    /// <summary>The 1-based positions of the keys ($1…$n) that still have an entry in the change log: a change to them is in flight.</summary>
    public string PendingKeys() =>
        $"SELECT b.i FROM {KeyArrays("b")} WHERE EXISTS (SELECT 1 FROM {Log} l WHERE {RowExpr(KeySource.Select(k => "l." + k))} = {TypedKeys("b")})";

    private string KeyArrays(string alias) =>
        $"unnest({string.Join(", ", Mapping.Key.Select((_, i) => $"${i + 1}::text[]"))}) WITH ORDINALITY AS {alias}({string.Join(", ", Mapping.Key.Select((_, i) => $"k{i}"))}, i)";

    private string TypedKeys(string alias) => RowExpr(Mapping.Key.Select((k, i) => $"{alias}.k{i}::{k.SourceType}"));

    // ---- verify -------------------------------------------------------------------------------

    /// <summary>
    /// Count and order-independent sum of 64-bit row hashes over the copied columns, cast to the new
    /// types (so the binary form also carries the same type oids on both sides).
    /// </summary>
    public string SourceChecksum(bool hasLower, bool hasUpper)
    {
        return Checksum(SourceTypedColumnList("s"), Source + " s" + UsingScope("s"), RangePredicate("s", KeySource, hasLower, hasUpper));
    }

    public string ShadowChecksum(bool hasLower, bool hasUpper)
    {
        var row = string.Join(", ", Mapping.Copied.Select(c => $"n.{D.QuoteIdentifier(c.ShadowName)}"));
        return Checksum(row, Shadow + " n", RangePredicate("n", KeyShadow, hasLower, hasUpper));
    }

    /// <summary>
    /// sum() over bigint is exact (it accumulates in 128 bits or numeric) and returns numeric, and is
    /// cheaper than a sum over numeric. The row hash is one 64-bit hash over the whole row's bytes
    /// (ADR 0015), never a combination of per-column hashes: hash_record_extended over the columns
    /// themselves folds bigint and timestamps to 32 bits, equates 1.0 with 1.00 and cannot hash json.
    /// </summary>
    private string Checksum(string row, string from, string where) =>
        $"SELECT count(*), coalesce(sum({RowHashExpr(row)}), 0) FROM {from}{where}";

    private string RowHashExpr(string row) => RowHash == PgRowHash.Binary
        ? $"pg_catalog.hash_record_extended(ROW(pg_catalog.record_send(ROW({row}))), 0)"
        : $"pg_catalog.hashtextextended(ROW({row})::text, 0)";

    // ---- helpers ------------------------------------------------------------------------------

    private string JoinKey(string left, string right) =>
        RowExpr(KeySource.Select(k => $"{left}.{k}")) + " = " + RowExpr(KeySource.Select(k => $"{right}.{k}"));

    /// <summary>WHERE (k) &gt; ($1..) AND (k) &lt;= ($n..): lower bound exclusive, upper inclusive.</summary>
    /// <summary>
    /// The original's key range as the copy reads it, the table's columns qualified by <paramref name="alias"/>
    /// (lower bound $1…$k exclusive, then upper bound inclusive); <c>true</c> when both are open (backfill batches).
    /// </summary>
    public string KeyRange(string alias, bool hasLower, bool hasUpper) =>
        RangeConditions(alias, KeySource, hasLower, hasUpper) is { Count: > 0 } parts ? string.Join(" AND ", parts) : "true";

    private string RangePredicate(string alias, IEnumerable<string> keyColumns, bool hasLower, bool hasUpper) =>
        RangeConditions(alias, keyColumns, hasLower, hasUpper) is { Count: > 0 } parts ? " WHERE " + string.Join(" AND ", parts) : string.Empty;

    private List<string> RangeConditions(string alias, IEnumerable<string> keyColumns, bool hasLower, bool hasUpper)
    {
        var columns = RowExpr(keyColumns.Select(k => $"{alias}.{k}"));
        var types = Mapping.Key.Select(k => k.SourceType).ToList();
        var parts = new List<string>();
        var next = 1;
        if (hasLower)
        {
            parts.Add($"{columns} > {Params(next, types)}");
            next += types.Count;
        }

        if (hasUpper)
        {
            parts.Add($"{columns} <= {Params(next, types)}");
        }

        return parts;
    }

    private static string RowExpr(IEnumerable<string> items) => "(" + string.Join(", ", items) + ")";

    private static string Params(int first, IEnumerable<string> types) =>
        "(" + string.Join(", ", types.Select((t, i) => $"${first + i}::{t}")) + ")";

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
