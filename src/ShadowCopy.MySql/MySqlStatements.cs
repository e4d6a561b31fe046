using System.Text;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// SQL text of a run, built once from the mapping. Identifiers go through
/// <see cref="MySqlEscaping.QuoteIdentifier(string)"/> only; key bounds arrive as ready literals
/// (<see cref="MySqlLiteral"/>). Key ranges are spelled as expanded OR/AND comparisons because
/// MariaDB's range optimizer does not use an index for row-constructor comparisons.
/// </summary>
internal sealed class MySqlStatements
{
    public const string Marker = "shadowcopy:";

    private readonly MyMapping _map;
    private readonly string _sourceIndex;
    private readonly string _shadowIndex;

    public MySqlStatements(string schema, string table, HelperObjectNames names, MyMapping map, string shadowIndex)
    {
        _map = map;
        Schema = schema;
        Names = names;
        Source = Q(schema, table);
        Shadow = Q(schema, names.Shadow);
        Log = Q(schema, names.ChangeLog);
        Old = Q(schema, names.Old);
        _sourceIndex = Q(map.KeyIndex);
        _shadowIndex = Q(shadowIndex);
        TableLabel = $"{schema}.{table}";
        Tombstones = Q(schema, HelperObjectNames.Derive(table, "gone", 64));
    }

    public string Schema { get; }

    public HelperObjectNames Names { get; }

    public string Source { get; }

    public string Shadow { get; }

    public string Log { get; }

    public string Old { get; }

    public string TableLabel { get; }

    public int KeyCount => _map.Key.Count;

    public static string Q(string name) => MySqlEscaping.QuoteIdentifier(name);

    public static string Q(string schema, string name) => MySqlEscaping.QuoteIdentifier(schema, name);

    public static string TriggerName(string table, string suffix) => HelperObjectNames.Derive(table, suffix, 64);

    public string SourceKeyList => string.Join(", ", _map.Key.Select(k => Q(k.SourceName)));

    public string NextBoundary(string[]? lower, int offset) =>
        $"SELECT {SourceKeyList} FROM {Source} FORCE INDEX ({_sourceIndex}) WHERE {Range(_map.Key.Select(k => k.SourceName), lower, null)} ORDER BY {SourceKeyList} LIMIT 1 OFFSET {offset}";

    /// <summary>
    /// Copies a key range inside the server. Locking: LOCK IN SHARE MODE waits for writers of those
    /// rows to commit, so a row changed meanwhile is copied in its committed state, and INSERT IGNORE
    /// keeps a row that capture wrote first (capture is always newer than the copy). Not locking
    /// (binlog capture, one copy session, READ COMMITTED): a consistent read that blocks no writer;
    /// docs/adr/0017-lock-free-binlog-copy.md says why that is safe with <see cref="DeleteTombstonedRows"/>.
    /// </summary>
    public string CopyRange(string[]? lower, string[]? upper, bool locking = true) =>
        $"INSERT IGNORE INTO {Shadow} ({ShadowColumns}) SELECT {SourceColumns} FROM {Source} FORCE INDEX ({_sourceIndex}) WHERE {SourceRange(lower, upper)}{(locking ? " LOCK IN SHARE MODE" : string.Empty)}";

    // ---- tombstones of the lock-free copy (docs/adr/0017-lock-free-binlog-copy.md) ----------------

    /// <summary>Session-private table of keys the applier deleted from the shadow while the copy runs.</summary>
    public string Tombstones { get; }

    /// <summary>Key columns declared like the original's (not CREATE … SELECT, which GTID-consistent MySQL servers refuse).</summary>
    public string CreateTombstones() =>
        $"CREATE TEMPORARY TABLE IF NOT EXISTS {Tombstones} ("
        + string.Join(", ", _map.Key.Select(k => $"{Q(k.SourceName)} {k.Source.ColumnType}{(k.Source.Collation is null ? string.Empty : " COLLATE " + k.Source.Collation)} NOT NULL"))
        + $", PRIMARY KEY ({SourceKeyList})) ENGINE=InnoDB";

    public string DropTombstones() => $"DROP TEMPORARY TABLE IF EXISTS {Tombstones}";

    /// <summary>One multi-row insert per apply batch; each row is a key as SQL literals.</summary>
    public string RecordTombstones(IEnumerable<IReadOnlyList<string>> keys) =>
        $"INSERT IGNORE INTO {Tombstones} ({SourceKeyList}) VALUES {string.Join(", ", keys.Select(k => $"({string.Join(", ", k)})"))}";

    /// <summary>Waits (shared locks) for any writer still holding a tombstoned row of the range, so its commit is visible next.</summary>
    public string LockTombstonedSourceRows(string[]? lower, string[]? upper) =>
        $"SELECT COUNT(*) FROM {Tombstones} g JOIN {Source} s ON {KeyJoin("s", "g", sourceKey: true)} WHERE {Range(_map.Key.Select(k => k.SourceName), lower, upper, "g")} LOCK IN SHARE MODE";

    /// <summary>
    /// Removes shadow rows of the range whose key the applier deleted and that the original no longer
    /// has: a delete whose row event was applied before its commit became visible to the copy's read.
    /// </summary>
    public string DeleteTombstonedRows(string[]? lower, string[]? upper) =>
        $"DELETE n FROM {Shadow} n JOIN {Tombstones} g ON {KeyJoin("n", "g", sourceKey: false)} WHERE {Range(_map.Key.Select(k => k.SourceName), lower, upper, "g")} "
        + $"AND NOT EXISTS (SELECT 1 FROM {Source} s WHERE {KeyJoin("s", "g", sourceKey: true)})";

    public string ClearTombstones(string[]? lower, string[]? upper) =>
        $"DELETE FROM {Tombstones} WHERE {Range(_map.Key.Select(k => k.SourceName), lower, upper)}";

    private string KeyJoin(string alias, string tombstones, bool sourceKey) =>
        string.Join(" AND ", _map.Key.Select(k => $"{alias}.{Q(sourceKey ? k.SourceName : k.ShadowName)} = {tombstones}.{Q(k.SourceName)}"));

    /// <summary>The client-side copy's read: the same range and locks, values read back by the tool.</summary>
    public string SelectRange(string[]? lower, string[]? upper) =>
        $"SELECT {string.Join(", ", _map.Copied.Select(c => c.Source.IsFloat ? $"{Q(c.SourceName)} + 0e0" : Q(c.SourceName)))} FROM {Source} FORCE INDEX ({_sourceIndex}) WHERE {SourceRange(lower, upper)} ORDER BY {SourceKeyList} LOCK IN SHARE MODE";

    public string InsertValues(IEnumerable<string> rows) => $"INSERT IGNORE INTO {Shadow} ({ShadowColumns}) VALUES {string.Join(", ", rows)}";

    public string DeleteShadowRange(string[]? lower, string[]? upper) =>
        $"DELETE FROM {Shadow} WHERE {Range(_map.Key.Select(k => k.ShadowName), lower, upper)}";

    /// <summary>
    /// Whether the server has CRC32C (MariaDB 10.8+): the checksum's second 32 bits then come from it
    /// instead of MD5, which cost 60 % of a checksum query (1M rows: 2.4 s with MD5, 1.0 s with CRC32C).
    /// </summary>
    public bool HasCrc32C { get; set; }

    public string SourceChecksum(string[]? lower, string[]? upper) =>
        Checksum(Source, _sourceIndex, _map.Copied, shadowSide: false, SourceRange(lower, upper), HasCrc32C);

    public string ShadowChecksum(string[]? lower, string[]? upper) =>
        Checksum(Shadow, _shadowIndex, _map.Copied, shadowSide: true, Range(_map.Key.Select(k => k.ShadowName), lower, upper), HasCrc32C);

    public string ShadowColumns => string.Join(", ", _map.Copied.Select(c => Q(c.ShadowName)));

    public string SourceColumns => string.Join(", ", _map.Copied.Select(c => Q(c.SourceName)));

    public IReadOnlyList<MyColumnMap> Copied => _map.Copied;

    public IReadOnlyList<MyColumnMap> Key => _map.Key;

    public string CreateLogTable() =>
        $"CREATE TABLE {Log} (id INT NOT NULL PRIMARY KEY, beat TIMESTAMP(6) NOT NULL, note VARCHAR(255) NOT NULL) ENGINE=InnoDB COMMENT={MySqlEscaping.QuoteString(Comment("state and heartbeat"), false)}";

    public string Comment(string role) => $"{Marker}{role} of {TableLabel}; remove with shadowcopy cleanup";

    /// <summary>
    /// AFTER triggers that mirror each change into the shadow in the writer's own transaction.
    /// Delete by key then insert (never REPLACE: with a new UNIQUE key, REPLACE would silently
    /// delete whichever other row holds the value; a plain INSERT fails loudly instead).
    /// </summary>
    public IReadOnlyList<(string Name, string Sql)> CreateTriggers(string table)
    {
        var marker = $"/* {Marker}capture of {TableLabel.Replace("*/", "* /", StringComparison.Ordinal)} */";
        var insertNew = $"INSERT INTO {Shadow} ({ShadowColumns}) VALUES ({string.Join(", ", _map.Copied.Select(c => "NEW." + Q(c.SourceName)))});";
        string DeleteKey(string row) => $"DELETE FROM {Shadow} WHERE {string.Join(" AND ", _map.Key.Select(k => $"{Q(k.ShadowName)} = {row}.{Q(k.SourceName)}"))};";
        return
        [
            (TriggerName(table, "ins"), $"CREATE TRIGGER {Q(Schema, TriggerName(table, "ins"))} AFTER INSERT ON {Source} FOR EACH ROW BEGIN {marker} {DeleteKey("NEW")} {insertNew} END"),
            (TriggerName(table, "upd"), $"CREATE TRIGGER {Q(Schema, TriggerName(table, "upd"))} AFTER UPDATE ON {Source} FOR EACH ROW BEGIN {marker} {DeleteKey("OLD")} {DeleteKey("NEW")} {insertNew} END"),
            (TriggerName(table, "del"), $"CREATE TRIGGER {Q(Schema, TriggerName(table, "del"))} AFTER DELETE ON {Source} FOR EACH ROW BEGIN {marker} {DeleteKey("OLD")} END"),
        ];
    }

    private string SourceRange(string[]? lower, string[]? upper) => Range(_map.Key.Select(k => k.SourceName), lower, upper);

    /// <summary>
    /// Count and two order-independent 32-bit sums of row hashes over the copied columns: CRC32 and
    /// CRC32C (different polynomials, so a difference must fool both) or, without CRC32C, the first
    /// 64 bits of MD5 XORed. The ISNULL flags tell NULL from the empty string (CONCAT_WS skips NULLs).
    /// Text is hashed as its bytes when that is comparable and unambiguous (<see cref="RawTextComparable"/>),
    /// otherwise every text column goes through utf8mb4 on both sides (CONVERT costs 20 % of the query).
    /// </summary>
    internal static string Checksum(string table, string index, IReadOnlyList<MyColumnMap> columns, bool shadowSide, string where, bool crc32C)
    {
        var raw = RawTextComparable(columns);
        var values = columns.Select(c => shadowSide ? c.Shadow : c.Source)
            .Select(c => c.IsText && !raw ? $"CONVERT({Q(c.Name)} USING utf8mb4)" : Q(c.Name));
        var nulls = columns.Select(c => $"ISNULL({Q(shadowSide ? c.ShadowName : c.SourceName)})");
        var row = $"CONCAT_WS('#', {string.Join(", ", values)}, CONCAT({string.Join(", ", nulls)}))";
        var second = crc32C
            ? $"COALESCE(SUM(CRC32C({row})), 0)"
            : $"COALESCE(BIT_XOR(CAST(CONV(LEFT(MD5({row}), 16), 16, 10) AS UNSIGNED)), 0)";
        return $"SELECT COUNT(*), COALESCE(SUM(CRC32({row})), 0), {second} FROM {table} FORCE INDEX ({index}) WHERE {where}";
    }

    /// <summary>
    /// True when no column pair changes its character set (or turns text into non-text or back) and
    /// each side's text has at most one collation apart from _bin ones: then both sides' CONCAT_WS
    /// yield the same bytes without conversion, and no server can refuse it as an illegal mix of
    /// collations (a _bin collation of the same set combines with any other).
    /// </summary>
    internal static bool RawTextComparable(IReadOnlyList<MyColumnMap> columns)
    {
        if (columns.Any(c => c.Source.IsText != c.Shadow.IsText
            || (c.Source.IsText && !string.Equals(Charset(c.Source.Collation!), Charset(c.Shadow.Collation!), StringComparison.OrdinalIgnoreCase))))
        {
            return false;
        }

        static int Collations(IEnumerable<MyColumn> side) => side
            .Where(c => c.IsText && !c.Collation!.EndsWith("_bin", StringComparison.OrdinalIgnoreCase))
            .Select(c => c.Collation!.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Count();
        return Collations(columns.Select(c => c.Source)) <= 1 && Collations(columns.Select(c => c.Shadow)) <= 1;
    }

    private static string Charset(string collation) => collation.IndexOf('_', StringComparison.Ordinal) is var end and > 0 ? collation[..end] : collation;

    /// <summary>lower &lt; key ≤ upper over a composite key, as OR-of-AND comparisons; null bounds are open.</summary>
    internal static string Range(IEnumerable<string> keyColumns, string[]? lower, string[]? upper, string? alias = null)
    {
        var names = keyColumns.Select(k => alias is null ? Q(k) : $"{alias}.{Q(k)}").ToList();
        var parts = new List<string>();
        if (lower is not null)
        {
            parts.Add(Compare(names, lower, ">"));
        }

        if (upper is not null)
        {
            parts.Add(Compare(names, upper, "<="));
        }

        return parts.Count == 0 ? "1 = 1" : string.Join(" AND ", parts);
    }

    private static string Compare(List<string> names, string[] bound, string op)
    {
        var strict = op[..1];
        var sb = new StringBuilder("(");
        for (var i = 0; i < names.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(" OR ");
            }

            sb.Append('(');
            for (var j = 0; j < i; j++)
            {
                sb.Append(names[j]).Append(" = ").Append(bound[j]).Append(" AND ");
            }

            var last = i == names.Count - 1 ? op : strict;
            sb.Append(names[i]).Append(' ').Append(last).Append(' ').Append(bound[i]).Append(')');
        }

        return sb.Append(')').ToString();
    }
}
