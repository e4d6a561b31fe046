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

    /// <summary>Per key column: its ENUM label count, 0 for other types (see <see cref="Range"/>).</summary>
    private readonly int[] _enumSizes;

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
        _enumSizes = map.Key.Select(k => k.Source.EnumLabelCount).ToArray();
        TableLabel = $"{schema}.{table}";
        Tombstones = Q(schema, HelperObjectNames.Derive(table, "gone", 64));
        KeyLog = Q(schema, KeyLogName(table));
        var sequence = "_shadowcopy_seq";
        while (map.Key.Any(k => string.Equals(k.SourceName, sequence, StringComparison.OrdinalIgnoreCase)))
        {
            sequence += "_";
        }

        LogSequence = Q(sequence);
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

    private string KeySelectList => string.Join(", ", _map.Key.Select((k, i) => _enumSizes[i] > 0 ? $"{Q(k.SourceName)} + 0" : Q(k.SourceName)));

    /// <summary>
    /// Backfill: the keys of a range's rows matching <paramref name="where"/>, read as <see cref="NextBoundary"/>
    /// reads them, in key order; <paramref name="skipLocked"/> locks them, passing over rows another
    /// transaction holds (FOR UPDATE SKIP LOCKED, MariaDB 10.6 and MySQL 8.0).
    /// </summary>
    public string RangeKeys(string[]? lower, string[]? upper, string? where, bool skipLocked) =>
        $"SELECT {KeySelectList} FROM {Source} FORCE INDEX ({_sourceIndex}) WHERE {SourceRange(lower, upper)}{(where is null ? string.Empty : $" AND ({where})")} "
        + $"ORDER BY {SourceKeyList}{(skipLocked ? " FOR UPDATE SKIP LOCKED" : string.Empty)}";

    /// <summary>The key is one of <paramref name="keys"/> (literals as <see cref="RangeKeys"/> reads them; an ENUM compares by its number).</summary>
    public string KeyIn(IEnumerable<string[]> keys) =>
        $"({SourceKeyList}) IN ({string.Join(", ", keys.Select(k => "(" + string.Join(", ", k) + ")"))})";

    /// <summary>The key that ends the next chunk; an ENUM key column as its label's number (<see cref="Range"/>).</summary>
    public string NextBoundary(string[]? lower, int offset) =>
        $"SELECT {KeySelectList} FROM {Source} FORCE INDEX ({_sourceIndex}) WHERE {Range(_map.Key.Select(k => k.SourceName), lower, null, enumSizes: _enumSizes)} ORDER BY {SourceKeyList} LIMIT 1 OFFSET {offset}";

    /// <summary>
    /// Copies a key range inside the server. Locking: LOCK IN SHARE MODE waits for writers of those
    /// rows to commit, so a row changed meanwhile is copied in its committed state, and INSERT IGNORE
    /// keeps a row that capture wrote first (capture is always newer than the copy). Not locking
    /// (binlog capture, one copy session, READ COMMITTED): a consistent read that blocks no writer;
    /// docs/adr/0017-lock-free-binlog-copy.md says why that is safe with <see cref="DeleteTombstonedRows"/>.
    /// </summary>
    public string CopyRange(string[]? lower, string[]? upper, bool locking = true) =>
        $"INSERT IGNORE INTO {Shadow} ({ShadowColumns}) SELECT {SourceColumns} FROM {Source} FORCE INDEX ({_sourceIndex}) WHERE {SourceRange(lower, upper)}{(locking ? " LOCK IN SHARE MODE" : string.Empty)}";

    /// <summary>The copy's statement for a set of keys, with shared locks (a re-apply after a delta-verification mismatch).</summary>
    public string CopyKeys(IEnumerable<IReadOnlyList<string>> keys) =>
        $"INSERT IGNORE INTO {Shadow} ({ShadowColumns}) SELECT {SourceColumns} FROM {Source} WHERE {SourceKeyIn(keys)} LOCK IN SHARE MODE";

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
        $"SELECT COUNT(*) FROM {Tombstones} g JOIN {Source} s ON {KeyJoin("s", "g", sourceKey: true)} WHERE {Range(_map.Key.Select(k => k.SourceName), lower, upper, "g", _enumSizes)} LOCK IN SHARE MODE";

    /// <summary>
    /// Removes shadow rows of the range whose key the applier deleted and that the original no longer
    /// has: a delete whose row event was applied before its commit became visible to the copy's read.
    /// </summary>
    public string DeleteTombstonedRows(string[]? lower, string[]? upper) =>
        $"DELETE n FROM {Shadow} n JOIN {Tombstones} g ON {KeyJoin("n", "g", sourceKey: false)} WHERE {Range(_map.Key.Select(k => k.SourceName), lower, upper, "g", _enumSizes)} "
        + $"AND NOT EXISTS (SELECT 1 FROM {Source} s WHERE {KeyJoin("s", "g", sourceKey: true)})";

    public string ClearTombstones(string[]? lower, string[]? upper) =>
        $"DELETE FROM {Tombstones} WHERE {Range(_map.Key.Select(k => k.SourceName), lower, upper, enumSizes: _enumSizes)}";

    private string KeyJoin(string alias, string tombstones, bool sourceKey) =>
        string.Join(" AND ", _map.Key.Select(k => $"{alias}.{Q(sourceKey ? k.SourceName : k.ShadowName)} = {tombstones}.{Q(k.SourceName)}"));

    public string DeleteShadowRange(string[]? lower, string[]? upper) =>
        $"DELETE FROM {Shadow} WHERE {Range(_map.Key.Select(k => k.ShadowName), lower, upper, enumSizes: _enumSizes)}";

    /// <summary>
    /// Whether the server has CRC32C (MariaDB 10.8+): the checksum's second 32 bits then come from it
    /// instead of MD5, which cost 60 % of a checksum query (1M rows: 2.4 s with MD5, 1.0 s with CRC32C).
    /// </summary>
    public bool HasCrc32C { get; set; }

    /// <param name="lower">The chunk's exclusive lower bound (null: open).</param>
    /// <param name="upper">The chunk's inclusive upper bound (null: open).</param>
    /// <param name="excludePending">Trigger capture: leave out rows whose key the key log still holds at the snapshot.</param>
    public string SourceChecksum(string[]? lower, string[]? upper, bool excludePending = false) =>
        Checksum(Source, _sourceIndex, _map.Copied, shadowSide: false, SourceRange(lower, upper) + (excludePending ? " AND " + NotPending(false) : string.Empty), HasCrc32C, Conversions);

    public string ShadowChecksum(string[]? lower, string[]? upper, bool excludePending = false) =>
        Checksum(Shadow, _shadowIndex, _map.Copied, shadowSide: true, Range(_map.Key.Select(k => k.ShadowName), lower, upper, enumSizes: _enumSizes) + (excludePending ? " AND " + NotPending(true) : string.Empty), HasCrc32C, Conversions);

    public string ShadowColumns => string.Join(", ", _map.Copied.Select(c => Q(c.ShadowName)));

    /// <summary>The original's copied columns, as a column list.</summary>
    public string SourceColumnNames => string.Join(", ", _map.Copied.Select(c => Q(c.SourceName)));

    /// <summary>The copy's select list over the original's copied columns (see <see cref="CopyExpression"/>).</summary>
    public string SourceColumns => string.Join(", ", _map.Copied.Select(c => CopyExpression(c, Q(c.SourceName))));

    /// <summary>
    /// What the copy assigns to a shadow column: the original's column itself — the assignment does
    /// the conversion — except where ALTER TABLE and INSERT … SELECT convert differently. YEAR into a
    /// string: ALTER stores the year's text ('0000' for year 0), INSERT … SELECT its number ('0'); the
    /// differential test holds the copy to ALTER's result, so the copy assigns the text.
    /// </summary>
    internal static string CopyExpression(MyColumnMap column, string value) =>
        column.Source.DataType == "year" && column.Shadow.IsText ? $"CONCAT({value})" : value;

    public IReadOnlyList<MyColumnMap> Copied => _map.Copied;

    public IReadOnlyList<MyColumnMap> Key => _map.Key;

    public string CreateLogTable() =>
        $"CREATE TABLE {Log} (id INT NOT NULL PRIMARY KEY, beat TIMESTAMP(6) NOT NULL, note VARCHAR(255) NOT NULL) ENGINE=InnoDB COMMENT={MySqlEscaping.QuoteString(Comment("state and heartbeat"), false)}";

    public string Comment(string role) => CommentFor(TableLabel, role);

    /// <summary>The marker comment of a helper object of <paramref name="tableLabel"/> (schema.table).</summary>
    public static string CommentFor(string tableLabel, string role) => $"{Marker}{role} of {tableLabel}; remove with shadowcopy cleanup";

    public const string ConversionRole = "verification conversion";

    // ---- trigger capture: a key log (docs/adr/0020-mysql-trigger-capture-logs-keys.md) ------------

    /// <summary>The key log's unquoted name.</summary>
    public static string KeyLogName(string table) => HelperObjectNames.Derive(table, "chg", 64);

    /// <summary>The key log: one row per changed key, in commit-independent id order.</summary>
    public string KeyLog { get; }

    /// <summary>The key log's ordering column, named so that it cannot collide with a key column.</summary>
    public string LogSequence { get; }

    public string CreateKeyLog() =>
        $"CREATE TABLE {KeyLog} ({LogSequence} BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, "
        + string.Join(", ", _map.Key.Select(k => $"{Q(k.SourceName)} {k.Source.ColumnType}{(k.Source.Collation is null ? string.Empty : " COLLATE " + k.Source.Collation)} NOT NULL"))
        + $", KEY k ({SourceKeyList})) ENGINE=InnoDB COMMENT={MySqlEscaping.QuoteString(Comment("change log"), false)}";

    /// <summary>
    /// AFTER triggers that log each changed key in the writer's own transaction (an update that
    /// changes the key logs both). They never touch the shadow: the applier re-copies logged keys
    /// with the copy's own statement, so application writes never wait on the copy or the shadow.
    /// </summary>
    public IReadOnlyList<(string Name, string Sql)> CreateTriggers(string table)
    {
        var marker = $"/* {Marker}capture of {TableLabel.Replace("*/", "* /", StringComparison.Ordinal)} */";
        string Log(string row) => $"INSERT INTO {KeyLog} ({SourceKeyList}) VALUES ({string.Join(", ", _map.Key.Select(k => $"{row}.{Q(k.SourceName)}"))});";
        // Byte-wise: a key that changes only in case or trailing space under its collation is a new key too.
        var keyChanged = string.Join(" OR ", _map.Key.Select(k => $"NOT (BINARY OLD.{Q(k.SourceName)} <=> BINARY NEW.{Q(k.SourceName)})"));
        return
        [
            (TriggerName(table, "ins"), $"CREATE TRIGGER {Q(Schema, TriggerName(table, "ins"))} AFTER INSERT ON {Source} FOR EACH ROW BEGIN {marker} {Log("NEW")} END"),
            (TriggerName(table, "upd"), $"CREATE TRIGGER {Q(Schema, TriggerName(table, "upd"))} AFTER UPDATE ON {Source} FOR EACH ROW BEGIN {marker} {Log("NEW")} IF {keyChanged} THEN {Log("OLD")} END IF; END"),
            (TriggerName(table, "del"), $"CREATE TRIGGER {Q(Schema, TriggerName(table, "del"))} AFTER DELETE ON {Source} FOR EACH ROW BEGIN {marker} {Log("OLD")} END"),
        ];
    }

    /// <summary>The oldest logged keys (up to $max), with their log ids.</summary>
    public string TakeKeys(int max) => $"SELECT {LogSequence}, {SourceKeyList} FROM {KeyLog} ORDER BY {LogSequence} LIMIT {max}";

    public string ForgetKeys(IEnumerable<string> ids) => $"DELETE FROM {KeyLog} WHERE {LogSequence} IN ({string.Join(", ", ids)})";

    public string KeyLogBacklog() => $"SELECT COALESCE(MAX({LogSequence}) - MIN({LogSequence}) + 1, 0) FROM {KeyLog}";

    /// <summary>
    /// The original's copied columns of these keys, read back by the tool for staging (the cut-over's
    /// drain): FLOAT as <c>col + 0e0</c>, whose text is the exact double of the stored float, which
    /// converts back to the same float. No alias: the reader holds the table under LOCK TABLES.
    /// </summary>
    public string SelectKeysForStaging(IEnumerable<IReadOnlyList<string>> keys) =>
        $"SELECT {string.Join(", ", _map.Copied.Select(c => c.Source.IsFloat ? $"{Source}.{Q(c.SourceName)} + 0e0" : $"{Source}.{Q(c.SourceName)}"))} FROM {Source} WHERE {SourceKeyIn(keys)}";

    /// <summary>The copy's statement for these keys, unlocked (READ COMMITTED: a consistent read).</summary>
    public string ApplyKeys(IEnumerable<IReadOnlyList<string>> keys) =>
        $"INSERT IGNORE INTO {Shadow} ({ShadowColumns}) SELECT {SourceColumns} FROM {Source} WHERE {SourceKeyIn(keys)}";

    /// <summary>
    /// For a unique key the original enforces too (<paramref name="unique"/>: unchanged columns): removes
    /// shadow rows that hold a value one of these keys' current rows has. Such a holder is stale (the
    /// original is unique), and its own logged change copies it back.
    /// </summary>
    public string DeleteUniqueHolders(IReadOnlyList<MyColumnMap> unique, IEnumerable<IReadOnlyList<string>> keys) =>
        $"DELETE n FROM {Shadow} n JOIN {Source} ON {string.Join(" AND ", unique.Select(c => $"n.{Q(c.ShadowName)} = {Source}.{Q(c.SourceName)}"))} WHERE {KeyIn(_map.Key.Select(k => $"{Source}.{Q(k.SourceName)}").ToList(), keys, quoted: true)}";

    /// <summary>Rows the key log still holds for a key of <see cref="VerifyKeys"/>: changes in flight, judged later.</summary>
    public string PendingVerifyKeys() =>
        $"SELECT DISTINCT v.i FROM {VerifyKeys} v JOIN {KeyLog} l ON {string.Join(" AND ", _map.Key.Select(k => $"l.{Q(k.SourceName)} = v.{Q(k.SourceName)}"))}";

    /// <summary>Excludes, from a checksum, rows with a change still in the key log (at the snapshot they are in flight).</summary>
    private string NotPending(bool shadowSide)
    {
        var table = shadowSide ? Shadow : Source;
        return $"NOT EXISTS (SELECT 1 FROM {KeyLog} l WHERE {string.Join(" AND ", _map.Key.Select(k => $"l.{Q(k.SourceName)} = {table}.{Q(shadowSide ? k.ShadowName : k.SourceName)}"))})";
    }

    /// <summary>The keys the log holds (at the caller's snapshot).</summary>
    public string PendingKeys() => $"SELECT DISTINCT {SourceKeyList} FROM {KeyLog}";

    /// <summary>The shadow rows of these keys (each a list of literals typed like the original's key).</summary>
    public string ShadowKeyIn(IEnumerable<IReadOnlyList<string>> keys) => KeyIn(_map.Key.Select(k => k.ShadowName).ToList(), keys);

    /// <summary>The original's rows of these keys.</summary>
    public string SourceKeyIn(IEnumerable<IReadOnlyList<string>> keys) => KeyIn(_map.Key.Select(k => k.SourceName).ToList(), keys);

    /// <summary>k IN (…) for one column; OR-ed AND groups otherwise (which MariaDB's range optimizer reads as point ranges).</summary>
    private static string KeyIn(List<string> columns, IEnumerable<IReadOnlyList<string>> keys, bool quoted = false)
    {
        if (!quoted)
        {
            columns = columns.Select(Q).ToList();
        }

        var list = keys.ToList();
        if (list.Count == 0)
        {
            return "1 = 0";
        }

        if (columns.Count == 1)
        {
            return $"{columns[0]} IN ({string.Join(", ", list.Select(k => k[0]))})";
        }

        return string.Join(" OR ", list.Select(k => "(" + string.Join(" AND ", columns.Select((c, i) => $"{c} = {k[i]}")) + ")"));
    }

    /// <summary>The original's key range (lower exclusive, upper inclusive; null: open), as the copy reads it (backfill batches).</summary>
    public string SourceKeyRange(string[]? lower, string[]? upper) => SourceRange(lower, upper);

    private string SourceRange(string[]? lower, string[]? upper) => Range(_map.Key.Select(k => k.SourceName), lower, upper, enumSizes: _enumSizes);

    /// <summary>
    /// Count and two order-independent 32-bit sums of row hashes over the copied columns: CRC32 and
    /// CRC32C (different polynomials, so a difference must fool both) or, without CRC32C, the first
    /// 64 bits of MD5 XORed. The ISNULL flags tell NULL from the empty string (CONCAT_WS skips NULLs).
    /// Text is hashed as its bytes when that is comparable and unambiguous (<see cref="RawTextComparable"/>),
    /// otherwise every text column goes through utf8mb4 on both sides (CONVERT costs 20 % of the query).
    /// With conversion functions, every other value is hashed as CAST(… AS BINARY) on both sides (both
    /// sides get <paramref name="conversions"/>; only the original's applies them): a function's result is
    /// merely coercible, so CONCAT_WS would otherwise convert a converted BINARY value to the text
    /// columns' character set (0xFF becomes '?') on the original's side only.
    /// </summary>
    internal static string Checksum(string table, string index, IReadOnlyList<MyColumnMap> columns, bool shadowSide, string where, bool crc32C, IReadOnlyDictionary<string, string>? conversions = null)
    {
        var row = RowText(columns, shadowSide, alias: null, conversions);
        var second = crc32C
            ? $"COALESCE(SUM(CRC32C({row})), 0)"
            : $"COALESCE(BIT_XOR(CAST(CONV(LEFT(MD5({row}), 16), 16, 10) AS UNSIGNED)), 0)";
        return $"SELECT COUNT(*), COALESCE(SUM(CRC32({row})), 0), {second} FROM {table} FORCE INDEX ({index}) WHERE {where}";
    }

    /// <summary>
    /// The text each row is hashed from: the copied columns, each side's own (see <see cref="Checksum"/>).
    /// On the original's side a column whose type the ALTER changes goes through its conversion
    /// function (<see cref="Conversions"/>), so both sides hash the new type's text of the same value.
    /// </summary>
    private static string RowText(IReadOnlyList<MyColumnMap> columns, bool shadowSide, string? alias, IReadOnlyDictionary<string, string>? conversions)
    {
        var prefix = alias is null ? string.Empty : alias + ".";
        // Both sides decide raw-or-utf8mb4 from the same pairs (a converted column counts as the new
        // type on both), or one side would hash latin1 bytes and the other utf8mb4.
        var converted = conversions ?? new Dictionary<string, string>();
        var binary = converted.Count > 0;
        var sides = columns.Select(c => converted.TryGetValue(c.ShadowName, out var function)
            ? new MyColumnMap(c.Shadow, c.Shadow) { Expression = shadowSide ? null : $"{function}({prefix}{Q(c.SourceName)})" }
            : c).ToList();
        var raw = RawTextComparable(sides);
        var values = sides.Select(c =>
        {
            var column = shadowSide ? c.Shadow : c.Source;
            var value = c.Expression ?? prefix + Q(column.Name);
            return column.IsText ? (raw ? value : $"CONVERT({value} USING utf8mb4)") : binary ? $"CAST({value} AS BINARY)" : value;
        });
        var nulls = columns.Select(c => $"ISNULL({prefix}{Q(shadowSide ? c.ShadowName : c.SourceName)})");
        return $"CONCAT_WS('#', {string.Join(", ", values)}, CONCAT({string.Join(", ", nulls)}))";
    }

    // ---- conversion functions (docs/adr/0019) ----------------------------------------------------

    /// <summary>
    /// Per column whose type the ALTER changes (shadow name → qualified function name): a function
    /// that takes the original's type and returns the shadow's, <c>RETURN v</c>. Its return is a store
    /// into a value of the new type, the same conversion as the copy's INSERT, so the checksums
    /// compare like with like instead of the old type's text with the new type's. Empty when the
    /// server refused to create them (text comparison, which can only report false differences).
    /// </summary>
    public IReadOnlyDictionary<string, string> Conversions { get; set; } = new Dictionary<string, string>();

    /// <summary>Column pairs whose type or collation the ALTER changes (ordinal among the copied columns, pair).</summary>
    public IEnumerable<(int Index, MyColumnMap Map)> ChangedColumns() =>
        _map.Copied.Select((c, i) => (i, c)).Where(p => !string.Equals(p.c.Source.ColumnType, p.c.Shadow.ColumnType, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(p.c.Source.Collation, p.c.Shadow.Collation, StringComparison.OrdinalIgnoreCase));

    /// <summary>The unquoted name of the conversion function of the copied column at <paramref name="index"/>.</summary>
    public static string ConversionName(string table, int index) => HelperObjectNames.Derive(table, $"cv{index}", 64);

    public string CreateConversion(string qualifiedName, MyColumnMap map) =>
        $"CREATE FUNCTION {qualifiedName}(v {map.Source.ColumnType}{Collate(map.Source)}) RETURNS {map.Shadow.ColumnType}{Collate(map.Shadow)} "
        + $"DETERMINISTIC NO SQL COMMENT {MySqlEscaping.QuoteString(Comment(ConversionRole), false)} RETURN {CopyExpression(map, "v")}";

    private static string Collate(MyColumn column) =>
        column.Collation is null ? string.Empty : $" CHARACTER SET {column.Collation[..column.Collation.IndexOf('_', StringComparison.Ordinal)]} COLLATE {column.Collation}";

    // ---- delta verification (docs/adr/0019) ------------------------------------------------------

    /// <summary>Session-private table of the keys one delta-verification round compares, numbered.</summary>
    public string VerifyKeys => Q(Schema, HelperObjectNames.Derive(Names.Shadow, "vkeys", 64));

    public string CreateVerifyKeys() =>
        $"CREATE TEMPORARY TABLE IF NOT EXISTS {VerifyKeys} (i INT NOT NULL PRIMARY KEY, "
        + string.Join(", ", _map.Key.Select(k => $"{Q(k.SourceName)} {k.Source.ColumnType}{(k.Source.Collation is null ? string.Empty : " COLLATE " + k.Source.Collation)} NOT NULL"))
        + ")";

    public string InsertVerifyKeys(IEnumerable<(int Index, IReadOnlyList<string> Key)> keys) =>
        $"INSERT INTO {VerifyKeys} (i, {SourceKeyList}) VALUES {string.Join(", ", keys.Select(k => $"({k.Index}, {string.Join(", ", k.Key)})"))}";

    /// <summary>Per key of <see cref="VerifyKeys"/>: its number and two 32-bit hashes of the row, on one side.</summary>
    public string KeyRowHashes(bool shadowSide)
    {
        // No alias for the data table: under the cut-over's LOCK TABLES a table may only be named as it was locked.
        var table = shadowSide ? Shadow : Source;
        var row = RowText(_map.Copied, shadowSide, table, Conversions);
        var second = HasCrc32C ? $"CRC32C({row})" : $"CAST(CONV(LEFT(MD5({row}), 16), 16, 10) AS UNSIGNED)";
        var join = string.Join(" AND ", _map.Key.Select(k => $"{table}.{Q(shadowSide ? k.ShadowName : k.SourceName)} = v.{Q(k.SourceName)}"));
        return $"SELECT v.i, CRC32({row}), {second} FROM {VerifyKeys} v JOIN {table} ON {join}";
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

    /// <summary>
    /// lower &lt; key ≤ upper over a composite key, as OR-of-AND comparisons; null bounds are open.
    /// An ENUM key column (<paramref name="enumSizes"/>: its label count, 0 for other columns) is bounded
    /// by its label's number: its index orders labels by declaration, while &lt; and &gt; against a label
    /// compare the labels' text, and against a number use no index range (MariaDB 10.11). So a strict
    /// comparison becomes the IN list of the label numbers beyond the bound (point ranges, which the
    /// optimizer uses); 0, the invalid value '' that sorts first, belongs below every bound.
    /// </summary>
    internal static string Range(IEnumerable<string> keyColumns, string[]? lower, string[]? upper, string? alias = null, IReadOnlyList<int>? enumSizes = null)
    {
        var names = keyColumns.Select(k => alias is null ? Q(k) : $"{alias}.{Q(k)}").ToList();
        var parts = new List<string>();
        if (lower is not null)
        {
            parts.Add(Compare(names, lower, ">", enumSizes));
        }

        if (upper is not null)
        {
            parts.Add(Compare(names, upper, "<=", enumSizes));
        }

        return parts.Count == 0 ? "1 = 1" : string.Join(" AND ", parts);
    }

    private static string Compare(List<string> names, string[] bound, string op, IReadOnlyList<int>? enumSizes)
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
            var labels = enumSizes?[i] ?? 0;
            if (labels > 0)
            {
                sb.Append(EnumCompare(names[i], last, bound[i], labels)).Append(')');
                continue;
            }

            sb.Append(names[i]).Append(' ').Append(last).Append(' ').Append(bound[i]).Append(')');
        }

        return sb.Append(')').ToString();
    }

    /// <summary><c>column op bound</c> for an ENUM column, <paramref name="bound"/> a label number: an IN list of label numbers.</summary>
    private static string EnumCompare(string column, string op, string bound, int labels)
    {
        if (!int.TryParse(bound, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var at))
        {
            // Only the dry run's placeholders (<lower>) get here: every real bound comes from NextBoundary.
            return $"{column} {op} {bound}";
        }

        var numbers = op switch
        {
            ">" => Enumerable.Range(at + 1, Math.Max(0, labels - at)),
            "<" => Enumerable.Range(0, at),
            "<=" => Enumerable.Range(0, at + 1),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not a range operator"),
        };
        var list = string.Join(", ", numbers);
        return list.Length == 0 ? "1 = 0" : $"{column} IN ({list})";
    }
}
