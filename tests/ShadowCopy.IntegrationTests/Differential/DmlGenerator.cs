namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// Seeded random DML over one table: multi-row inserts, updates of some or all columns (NULL, DEFAULT
/// and edge values included), key changes, deletes, delete-then-reinsert of a key, range updates and
/// multi-statement transactions. It tracks the live keys, so every statement hits rows that exist
/// and new keys never collide.
/// </summary>
internal sealed class DmlGenerator(Random random, string key, IReadOnlyList<(string Column, ValueDomain Values)> columns)
{
    private readonly List<long> _live = [];

    /// <summary>Keys that are updated but never deleted or moved (key 0: the row must live to the end to show whether copy and apply kept it).</summary>
    private readonly HashSet<long> _pinned = [];
    private long _next = 1;

    public int LiveRows => _live.Count;

    /// <summary>Rows 1..count (and key 0 first when asked: MySQL keeps it only under NO_AUTO_VALUE_ON_ZERO, hence lenient).</summary>
    public IEnumerable<DiffTransaction> Seed(int count, bool zeroKey)
    {
        if (zeroKey)
        {
            _pinned.Add(0);
            yield return Insert(0, seed: true);
        }

        while (_next <= count)
        {
            var rows = new List<(long Key, DiffValue[] Values)>();
            for (var i = 0; i < 40 && _next <= count; i++)
            {
                rows.Add((_next, Draw(seed: true)));
                _live.Add(_next++);
            }

            var values = string.Join(", ", rows.Select(r => $"({r.Key}, {string.Join(", ", r.Values.Select(v => v.Sql))})"));
            yield return new DiffTransaction([t => $"INSERT INTO {t} ({ColumnList}) VALUES {values}"], rows.Any(r => r.Values.Any(v => v.Lenient)));
        }
    }

    public DiffTransaction Next()
    {
        var count = random.Next(100) < 8 ? random.Next(2, 4) : 1;
        var parts = Enumerable.Range(0, count).Select(_ => One()).ToList();
        return new DiffTransaction([.. parts.SelectMany(p => p.Statements)], parts.Any(p => p.Lenient));
    }

    private string ColumnList => string.Join(", ", [key, .. columns.Select(c => c.Column)]);

    private DiffTransaction One()
    {
        var roll = random.Next(100);
        if (_live.Count == 0 || roll < 25)
        {
            var fresh = _next++;
            return Insert(fresh);
        }

        var position = random.Next(_live.Count);
        var k = _live[position];
        if (roll < 60 || _pinned.Contains(k))
        {
            // Some columns, or now and then every column of the row.
            var picked = random.Next(10) == 0 ? [.. columns] : columns.OrderBy(_ => random.Next()).Take(random.Next(1, Math.Min(4, columns.Count) + 1)).ToList();
            var sets = picked.Select(c => (c.Column, Value: c.Values.NextLate(random))).ToList();
            var assignments = string.Join(", ", sets.Select(s => $"{s.Column} = {s.Value.Sql}"));
            return new DiffTransaction([t => $"UPDATE {t} SET {assignments} WHERE {key} = {k}"], sets.Any(s => s.Value.Lenient));
        }

        if (roll < 72)
        {
            // Key change: the old key must vanish from the new table and the new one appear.
            var moved = _next++;
            _live[position] = moved;
            var column = columns[random.Next(columns.Count)];
            var value = column.Values.NextLate(random);
            var extra = random.Next(2) == 0 ? $", {column.Column} = {value.Sql}" : string.Empty;
            return new DiffTransaction([t => $"UPDATE {t} SET {key} = {moved}{extra} WHERE {key} = {k}"], extra.Length > 0 && value.Lenient);
        }

        if (roll < 84)
        {
            _live.RemoveAt(position);
            return new DiffTransaction([t => $"DELETE FROM {t} WHERE {key} = {k}"], false);
        }

        if (roll < 91)
        {
            var again = Insert(k, track: false);
            return again with { Statements = [t => $"DELETE FROM {t} WHERE {key} = {k}", .. again.Statements] };
        }

        // Range update over a few neighbouring keys (one statement, several row events).
        var sorted = _live.Order().ToList();
        var from = random.Next(sorted.Count);
        var to = Math.Min(sorted.Count - 1, from + random.Next(1, 6));
        var (low, high) = (sorted[from], sorted[to]);
        var target = columns[random.Next(columns.Count)];
        var v = target.Values.NextLate(random);
        return new DiffTransaction([t => $"UPDATE {t} SET {target.Column} = {v.Sql} WHERE {key} BETWEEN {low} AND {high}"], v.Lenient);
    }

    private DiffTransaction Insert(long k, bool track = true, bool seed = false)
    {
        if (track)
        {
            _live.Add(k);
        }

        var values = Draw(seed);
        var list = string.Join(", ", values.Select(v => v.Sql));
        return new DiffTransaction([t => $"INSERT INTO {t} ({ColumnList}) VALUES ({k}, {list})"], k == 0 || values.Any(v => v.Lenient));
    }

    private DiffValue[] Draw(bool seed = false) => [.. columns.Select(c => seed ? c.Values.Next(random) : c.Values.NextLate(random))];
}
