using ShadowCopy.Postgres.Model;

namespace ShadowCopy.Postgres.Capture.Logical;

/// <summary>
/// How one stream relation's columns land in the shadow: which are copied (and under which name and
/// type), which form the key. Builds the per-change statements; values travel as text parameters
/// cast to the original's column types, so the shadow converts them as the copy does.
/// <para>
/// When a shadow value is computed from the original row rather than assigned from one streamed
/// column — a USING expression, or a generated column turned plain (DROP EXPRESSION), whose value
/// pgoutput does not send — the image becomes a row typed as the original
/// (<c>VALUES ($1::type, …) AS t(columns)</c>), the original's generation expressions fill its
/// generated columns, and the USING expressions are evaluated over it: the copy's rule (ADR 0019).
/// </para>
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
    private readonly string _onConflict;
    private readonly List<string> _collisionSql = [];

    // Computed mode: the stream's columns that the original has (with its types), and the
    // original's generated columns the stream does not carry.
    private readonly bool _computed;
    private readonly List<(int Index, Model.PgColumn Column)> _streamed = [];
    private readonly List<Model.PgColumn> _generated = [];

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
        var sourceColumns = mapping.SourceColumns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        _computed = mapping.HasUsing || mapping.Copied.Any(c => !position.ContainsKey(c.SourceName) && sourceColumns.ContainsKey(c.SourceName));
        if (_computed)
        {
            _streamed.AddRange(relation.Columns.Select((name, i) => (i, name)).Where(p => sourceColumns.ContainsKey(p.name)).Select(p => (p.i, sourceColumns[p.name])));
            _generated.AddRange(mapping.SourceColumns.Where(c => c.Generated.Length > 0 && c.Expression is not null && !position.ContainsKey(c.Name)));
            _copied.Clear();
            _copied.AddRange(mapping.Copied.Select(c => (position.GetValueOrDefault(c.SourceName, -1), c)));
            _uniques.Clear();
            _uniques.AddRange(sql.SecondaryUniques.Select(u => u.Select(name => _copied.First(c => c.Map.SourceName == name)).ToList()));
        }

        var next = 0;
        var values = _copied.Select(c => Placeholder(++next, c.Map.SourceType)).ToList();
        var nonKey = _copied.Where(c => !IsKey(c.Map)).Select(c => D.QuoteIdentifier(c.Map.ShadowName)).ToList();
        var onConflict = nonKey.Count == 0
            ? "DO NOTHING"
            : "DO UPDATE SET " + string.Join(", ", nonKey.Select(n => $"{n} = EXCLUDED.{n}"));
        _onConflict = $"ON CONFLICT ({KeyColumns}) {onConflict}";
        _upsertSql = $"INSERT INTO {sql.Shadow} ({string.Join(", ", _copied.Select(c => D.QuoteIdentifier(c.Map.ShadowName)))}) OVERRIDING SYSTEM VALUE VALUES ({string.Join(", ", values)}) {_onConflict}";
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

    public bool IsComplete(PgTuple row) => _computed
        ? _streamed.All(c => row.Present[c.Index])
        : _copied.All(c => row.Present[c.Index]);

    public bool KeyChanged(PgTuple old, PgTuple row) => _key.Any(k => old.Values[k.Index] != row.Values[k.Index]);

    public (string Sql, IReadOnlyList<object?> Args) Upsert(PgTuple row)
    {
        if (!_computed)
        {
            return (_upsertSql, _copied.Select(c => (object?)row.Values[c.Index]).ToList());
        }

        var args = new List<object?>();
        var source = RowSource(row, args);
        return ($"INSERT INTO {_sql.Shadow} ({string.Join(", ", _copied.Select(c => D.QuoteIdentifier(c.Map.ShadowName)))}) OVERRIDING SYSTEM VALUE "
                + $"SELECT {string.Join(", ", _copied.Select(c => ComputedValue(c.Map)))} FROM {source} {_onConflict}", args);
    }

    /// <summary>The shadow's value of a column in computed mode: its USING expression, or the original's value.</summary>
    private string ComputedValue(ColumnMap map) => map.Using is { } expression ? $"({expression})" : $"{_sql.RowAlias}.{D.QuoteIdentifier(map.SourceName)}";

    /// <summary>
    /// The image as a row of the original, named like it: streamed values typed as the original's
    /// columns, generated columns from their expressions. An image without some values (unchanged
    /// TOAST) takes them from the original's current row by key: the stream left them out because
    /// this change did not touch them, so the current row holds the same value or a later one whose
    /// change is still ahead in the stream (no row: a later delete is ahead, and nothing is written).
    /// </summary>
    private string RowSource(PgTuple row, List<object?> args)
    {
        var names = string.Join(", ", _streamed.Select(c => D.QuoteIdentifier(c.Column.Name)));
        string streamed;
        if (_streamed.All(c => row.Present[c.Index]))
        {
            streamed = $"(VALUES ({string.Join(", ", _streamed.Select(c => Param(args, row.Values[c.Index], c.Column.Type)))})) AS {_sql.RowAlias}({names})";
        }
        else
        {
            var values = _streamed.Select(c => row.Present[c.Index]
                ? $"{Param(args, row.Values[c.Index], c.Column.Type)} AS {D.QuoteIdentifier(c.Column.Name)}"
                : $"s.{D.QuoteIdentifier(c.Column.Name)}").ToList();
            var key = "(" + string.Join(", ", _key.Select(k => "s." + D.QuoteIdentifier(k.Map.SourceName))) + ") = ("
                + string.Join(", ", _key.Select(k => Param(args, row.Values[k.Index], k.Map.SourceType))) + ")";
            streamed = $"(SELECT {string.Join(", ", values)} FROM {_sql.Source} s WHERE {key}) AS {_sql.RowAlias}";
        }

        if (_generated.Count == 0)
        {
            return streamed;
        }

        var generated = string.Join(", ", _generated.Select(g => $"({g.Expression})::{g.Type} AS {D.QuoteIdentifier(g.Name)}"));
        return $"(SELECT {_sql.RowAlias}.*, {generated} FROM {streamed}) AS {_sql.RowAlias}";
    }

    /// <summary>An update whose stream image lacks some columns (unchanged TOAST): set only those it carries.</summary>
    public (string Sql, IReadOnlyList<object?> Args)? UpdateCarried(PgTuple row)
    {
        if (_computed)
        {
            return _key.All(k => row.Present[k.Index]) ? Upsert(row) : null;
        }

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
        if (_computed)
        {
            foreach (var unique in _uniques)
            {
                // The incoming row's shadow values, computed as the upsert computes them.
                var args = new List<object?>();
                var source = RowSource(row, args);
                var values = unique.Select((c, i) => $"{ComputedValue(c.Map)} AS u{i}").Concat(_key.Select((k, i) => $"{ComputedValue(k.Map)} AS k{i}"));
                var shadowSide = string.Join(", ", unique.Select(c => "n." + D.QuoteIdentifier(c.Map.ShadowName)));
                var incoming = string.Join(", ", unique.Select((c, i) => $"v.u{i}::{c.Map.ShadowType}"));
                yield return ($"DELETE FROM {_sql.Shadow} n USING (SELECT {string.Join(", ", values)} FROM {source}) AS v "
                    + $"WHERE ({shadowSide}) = ({incoming}) AND ({string.Join(", ", _key.Select(k => "n." + D.QuoteIdentifier(k.Map.ShadowName)))}) <> ({string.Join(", ", _key.Select((_, i) => $"v.k{i}"))})", args);
            }

            yield break;
        }

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
