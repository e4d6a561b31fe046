using ShadowCopy.Postgres.Model;

namespace ShadowCopy.Postgres.Capture;

/// <summary>
/// How one stream relation's columns land in the shadow: which are copied (and under which name and
/// type), which form the key. Builds the per-change statements; values travel as text parameters
/// cast to the original's column types, so the shadow converts them as the copy does.
/// </summary>
internal sealed class ColumnPlan
{
    private static readonly PgDialect D = PgDialect.Instance;
    private readonly PgStatements _sql;
    private readonly List<(int Index, ColumnMap Map)> _copied = [];
    private readonly List<(int Index, ColumnMap Map)> _key = [];
    private readonly List<List<(int Index, ColumnMap Map)>> _uniques = [];
    private readonly HashSet<string> _keyNames = new(StringComparer.Ordinal);

    // The statements' text depends only on the relation's shape, so it is built once here and
    // not for every streamed change; only the arguments differ per change.
    private readonly string _upsertSql;
    private readonly string _deleteSql;
    private readonly List<string> _collisionSql = [];

    public ColumnPlan(PgRelationShape relation, PgMapping mapping, PgStatements sql)
    {
        _sql = sql;
        var position = relation.Columns.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        foreach (var map in mapping.Copied)
        {
            if (position.TryGetValue(map.SourceName, out var i))
            {
                _copied.Add((i, map));
            }
        }

        foreach (var key in mapping.Key)
        {
            if (!position.TryGetValue(key.SourceName, out var i))
            {
                throw new InvalidOperationException($"the replication stream does not carry key column {key.SourceName}");
            }

            _key.Add((i, key));
        }

        foreach (var unique in sql.SecondaryUniques)
        {
            var columns = unique.Select(name => _copied.FirstOrDefault(c => c.Map.SourceName == name)).ToList();
            if (columns.All(c => c.Map is not null))
            {
                _uniques.Add(columns);
            }
        }

        _keyNames.UnionWith(_key.Select(k => k.Map.SourceName));
        var next = 0;
        var values = _copied.Select(c => Placeholder(++next, c.Map.SourceType)).ToList();
        var nonKey = _copied.Where(c => !IsKey(c.Map)).Select(c => D.QuoteIdentifier(c.Map.ShadowName)).ToList();
        var onConflict = nonKey.Count == 0
            ? "DO NOTHING"
            : "DO UPDATE SET " + string.Join(", ", nonKey.Select(n => $"{n} = EXCLUDED.{n}"));
        _upsertSql = $"INSERT INTO {sql.Shadow} ({string.Join(", ", _copied.Select(c => D.QuoteIdentifier(c.Map.ShadowName)))}) OVERRIDING SYSTEM VALUE VALUES ({string.Join(", ", values)}) "
            + $"ON CONFLICT ({KeyColumns}) {onConflict}";
        _deleteSql = $"DELETE FROM {sql.Shadow} WHERE ({KeyColumns}) = ({KeyPlaceholders(0)})";
        foreach (var unique in _uniques)
        {
            var columns = string.Join(", ", unique.Select(c => D.QuoteIdentifier(c.Map.ShadowName)));
            var placeholders = string.Join(", ", unique.Select((c, i) => Placeholder(i + 1, c.Map.SourceType)));
            _collisionSql.Add($"DELETE FROM {sql.Shadow} WHERE ({columns}) = ({placeholders}) AND ({KeyColumns}) <> ({KeyPlaceholders(unique.Count)})");
        }
    }

    private string KeyColumns => string.Join(", ", _key.Select(k => D.QuoteIdentifier(k.Map.ShadowName)));

    private string KeyPlaceholders(int offset) => string.Join(", ", _key.Select((k, i) => Placeholder(offset + i + 1, k.Map.SourceType)));

    private bool IsKey(ColumnMap map) => _keyNames.Contains(map.SourceName);

    /// <summary>The row's key as text, in key order (delta verification's <see cref="Core.Verification.RowKey"/>).</summary>
    public Core.Verification.RowKey Key(PgTuple row) => new(_key.Select(k => row.Values[k.Index]!).ToArray());

    public bool IsComplete(PgTuple row) => _copied.All(c => row.Present[c.Index]);

    public bool KeyChanged(PgTuple old, PgTuple row) => _key.Any(k => old.Values[k.Index] != row.Values[k.Index]);

    public (string Sql, IReadOnlyList<object?> Args) Upsert(PgTuple row) =>
        (_upsertSql, _copied.Select(c => (object?)row.Values[c.Index]).ToList());

    /// <summary>An update whose stream image lacks some columns (unchanged TOAST): set only those it carries.</summary>
    public (string Sql, IReadOnlyList<object?> Args)? UpdateCarried(PgTuple row)
    {
        var args = new List<object?>();
        var sets = _copied.Where(c => row.Present[c.Index] && !IsKey(c.Map))
            .Select(c => $"{D.QuoteIdentifier(c.Map.ShadowName)} = {Param(args, row.Values[c.Index], c.Map.SourceType)}")
            .ToList();
        if (sets.Count == 0)
        {
            return null;
        }

        return ($"UPDATE {_sql.Shadow} SET {string.Join(", ", sets)} WHERE {KeyMatch(args, row)}", args);
    }

    public (string Sql, IReadOnlyList<object?> Args) Delete(PgTuple keyRow) =>
        (_deleteSql, _key.Select(k => (object?)keyRow.Values[k.Index]).ToList());

    /// <summary>
    /// Deletes shadow rows of other keys that hold the incoming row's value of a unique index: an
    /// older image being applied can meet a row the copy already brought to a later state; that
    /// row's own later change is further down the stream and puts it back.
    /// </summary>
    public IEnumerable<(string Sql, IReadOnlyList<object?> Args)> Collisions(PgTuple row)
    {
        for (var u = 0; u < _uniques.Count; u++)
        {
            var unique = _uniques[u];
            if (unique.Any(c => !row.Present[c.Index] || row.Values[c.Index] is null))
            {
                continue;
            }

            var args = unique.Select(c => (object?)row.Values[c.Index]).Concat(_key.Select(k => (object?)row.Values[k.Index])).ToList();
            yield return (_collisionSql[u], args);
        }
    }

    private string KeyMatch(List<object?> args, PgTuple row) =>
        "(" + string.Join(", ", _key.Select(k => D.QuoteIdentifier(k.Map.ShadowName))) + ") = ("
        + string.Join(", ", _key.Select(k => Param(args, row.Values[k.Index], k.Map.SourceType))) + ")";

    private static string Param(List<object?> args, string? value, string type)
    {
        args.Add(value);
        return Placeholder(args.Count, type);
    }

    private static string Placeholder(int number, string type) => $"${number}::{type}";
}
