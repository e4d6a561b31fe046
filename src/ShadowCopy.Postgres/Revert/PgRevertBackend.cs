using System.Text.Json;
using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Revert;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Postgres.CutOver;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres.Revert;

/// <summary>
/// <c>revert</c> / <c>finish</c> on PostgreSQL (ADR 0031). Works from the state table and the catalog
/// alone. The swap back is one transaction under ACCESS EXCLUSIVE on both tables with a bounded
/// lock_timeout: the reverse trigger goes, serial ownership and identity positions move back, the
/// tables trade names (the new shape becomes <c>_t_old</c>), index names go back, the helpers go.
/// </summary>
public sealed class PgRevertBackend(NpgsqlConnectionStringBuilder settings, TableName table) : IRevertBackend
{
    private static readonly PgDialect D = PgDialect.Instance;
    private readonly RevertNames _names = PgReverseCapture.NamesFor(table);
    private PgSession? _session;
    private List<(string Old, string New)> _columns = [];
    private List<(string Original, string Derived)> _indexes = [];
    private PgTable? _old;
    private PgTable? _new;
    private IReadOnlyList<PgUserTrigger> _userTriggers = [];

    private string Old => D.Qualified(table.Schema, _names.Old);

    private string New => D.Qualified(table);

    public async Task<RevertPlan> InspectAsync(CancellationToken cancellationToken)
    {
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        var marked = await session.QueryAsync(PgObjects.RelationSql, [table.Schema, new[] { _names.State }], cancellationToken).ConfigureAwait(false);
        var state = marked.Any(r => ((string)r[1]!).StartsWith(PgObjects.Marker, StringComparison.Ordinal))
            && await session.QueryAsync($"SELECT columns::text, indexes::text, swapped_at FROM {D.Qualified(table.Schema, _names.State)} WHERE id = 1", null, cancellationToken).ConfigureAwait(false) is { Count: 1 } rows
                ? rows[0]
                : null;
        if (state is null)
        {
            throw NotRevertible("no reverse-capture state");
        }

        // A forward run killed after its swap keeps its checkpoint (and its capture) until --resume
        // finishes the cleanup: going back now would leave them behind for good.
        var checkpoint = HelperObjectNames.Derive(table.Name, "state", D.MaxIdentifierBytes);
        if ((await session.QueryAsync(PgObjects.RelationSql, [table.Schema, new[] { checkpoint }], cancellationToken).ConfigureAwait(false))
            .Any(r => ((string)r[1]!).StartsWith(PgObjects.Marker, StringComparison.Ordinal)))
        {
            throw NotRevertible($"the alter that made the change stopped before its cleanup (its checkpoint {checkpoint} is still there): finish it first with the same `shadowcopy alter … --execute --resume`, then run revert again");
        }

        _columns = [.. JsonSerializer.Deserialize<string[][]>((string)state[0]!)!.Select(p => (p[0], p[1]))];
        _indexes = [.. JsonSerializer.Deserialize<string[][]>((string)state[1]!)!.Select(p => (p[0], p[1]))];
        _old = await PgInspector.ReadAsync(session, new TableName(table.Schema, _names.Old), cancellationToken).ConfigureAwait(false) ?? throw NotRevertible($"{Old} is gone");
        _new = await PgInspector.ReadAsync(session, table, cancellationToken).ConfigureAwait(false) ?? throw NotRevertible($"{New} is gone");
        if (!await TriggerExistsAsync(session, cancellationToken).ConfigureAwait(false))
        {
            throw NotRevertible($"its reverse trigger {_names.Trigger} is gone, so {Old} is no longer in step");
        }

        var lost = new List<string>();
        var mappedNew = _columns.Select(c => c.New).ToHashSet(StringComparer.Ordinal);
        var mappedOld = _columns.Select(c => c.Old).ToHashSet(StringComparer.Ordinal);
        lost.AddRange(_new.Columns.Where(c => !mappedNew.Contains(c.Name) && c.Generated.Length == 0).Select(c => $"column {c.Name} exists only in the new shape; its values are lost"));
        lost.AddRange(_old.Columns.Where(c => !mappedOld.Contains(c.Name) && c.Generated.Length == 0).Select(c => $"column {c.Name} comes back as its default or NULL for rows written since the swap"));
        foreach (var (o, n) in _columns)
        {
            var (oldType, newType) = (TypeOf(_old, o), TypeOf(_new, n));
            if (oldType != newType)
            {
                lost.Add($"{n} {newType} goes back to {o} {oldType}; values that do not fit are listed as misfits");
            }
        }

        // The table's own triggers go back with it (ADR 0027 in reverse), unless one names a column the old shape lacks.
        _userTriggers = await PgUserTriggers.ReadAsync(session, _new.Oid, _names.Trigger, cancellationToken).ConfigureAwait(false);
        var newOnly = _new.Columns.Where(c => !mappedNew.Contains(c.Name)).Select(c => c.Name).Concat(_columns.Where(c => c.Old != c.New).Select(c => c.New)).ToList();
        foreach (var trigger in _userTriggers)
        {
            if (PgUserTriggers.ReferencedColumns(trigger.FunctionSource, newOnly) is { Count: > 0 } used)
            {
                throw NotRevertible($"trigger {trigger.Name} uses column(s) {string.Join(", ", used)} (NEW./OLD. in its function), which the old shape does not have; on the old table it would fail at the first write. Change the trigger function first (CREATE OR REPLACE FUNCTION)");
            }
        }

        var misfits = await session.QueryAsync($"SELECT k, error FROM {D.Qualified(table.Schema, _names.Misfits)} ORDER BY at LIMIT 10", null, cancellationToken).ConfigureAwait(false);
        var count = await session.ScalarAsync<long>($"SELECT count(*) FROM {D.Qualified(table.Schema, _names.Misfits)}", null, cancellationToken).ConfigureAwait(false);
        return new RevertPlan(
            Old,
            (DateTime?)state[2] is { } since ? new DateTimeOffset(since, TimeSpan.Zero) : null,
            _columns,
            lost,
            [.. misfits.Select(m => $"{m[0]}: {m[1]}")],
            count,
            [.. SwapBackStatements(new HashSet<string>(), new HashSet<string>()).Prepend($"LOCK TABLE {New}, {Old} IN ACCESS EXCLUSIVE MODE /* lock_timeout bounded, retried */"), .. PgUserTriggers.SwapStatements(_userTriggers, New, Old)]);
    }

    public async Task<RevertCheck> VerifyAsync(CancellationToken cancellationToken)
    {
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        string Sum(string from, IEnumerable<string> values) =>
            $"SELECT count(*), coalesce(sum(pg_catalog.hashtextextended(ROW({string.Join(", ", values)})::text, 0)::numeric), 0)::text FROM {from} x";
        var oldSql = Sum(Old, _columns.Select(c => "x." + D.QuoteIdentifier(c.Old)));
        var newSql = Sum(New, _columns.Select(c => $"x.{D.QuoteIdentifier(c.New)}::{TypeOf(_old!, c.Old)}"));
        await session.ExecuteAsync("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", null, cancellationToken).ConfigureAwait(false);
        try
        {
            var o = (await session.QueryAsync(oldSql, null, cancellationToken).ConfigureAwait(false))[0];
            var n = (await session.QueryAsync(newSql, null, cancellationToken).ConfigureAwait(false))[0];
            await session.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            return new RevertCheck((long)o[0]!, (string)o[1]!, (long)n[0]!, (string)n[1]!);
        }
        catch
        {
            await session.RollbackQuietlyAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<bool> TrySwapBackAsync(TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        return await InLockAsync(session, lockTimeout, async () =>
        {
            if (await session.ScalarAsync<long>($"SELECT count(*) FROM {D.Qualified(table.Schema, _names.Misfits)}", null, cancellationToken).ConfigureAwait(false) > 0
                || !await TriggerExistsAsync(session, cancellationToken).ConfigureAwait(false))
            {
                throw NotRevertible("a row that does not fit back was written, or the reverse trigger went away, just now; run revert again to see which");
            }

            var sequences = await session.QueryAsync(SequencesSql, [_new!.Oid], cancellationToken).ConfigureAwait(false);
            var oldSequences = await session.QueryAsync(SequencesSql, [_old!.Oid], cancellationToken).ConfigureAwait(false);
            var indexNames = (await session.QueryAsync(IndexNamesSql, [_new.Oid], cancellationToken).ConfigureAwait(false)).Select(r => (string)r[0]!).ToHashSet(StringComparer.Ordinal);
            var oldIndexNames = (await session.QueryAsync(IndexNamesSql, [_old.Oid], cancellationToken).ConfigureAwait(false)).Select(r => (string)r[0]!).ToHashSet(StringComparer.Ordinal);
            // Read under the lock and before the renames: the definitions name the table, which after them is the old shape.
            var triggers = await PgUserTriggers.ReadAsync(session, _new.Oid, _names.Trigger, cancellationToken).ConfigureAwait(false);
            foreach (var statement in SequenceStatements(sequences, oldSequences).Concat(SwapBackStatements(indexNames, oldIndexNames)))
            {
                await session.ExecuteAsync(statement, null, cancellationToken).ConfigureAwait(false);
            }

            foreach (var statement in PgUserTriggers.SwapStatements(triggers, New, Old))
            {
                try
                {
                    await session.ExecuteAsync(statement, null, cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException error) when (!PgErrors.IsLockTimeout(error))
                {
                    throw NotRevertible($"a trigger of the table cannot be re-created on the old shape ({error.MessageText}; {statement}); change or drop it first");
                }
            }
        }, lockBoth: true, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> TryFinishAsync(bool keepOldTable, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        return await InLockAsync(session, lockTimeout, async () =>
        {
            foreach (var statement in DropStatements(table).Append(keepOldTable ? null : $"DROP TABLE IF EXISTS {Old}").OfType<string>())
            {
                await session.ExecuteAsync(statement, null, cancellationToken).ConfigureAwait(false);
            }
        }, lockBoth: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>cleanup: the reverse capture's objects that carry our marker; never the old table.</summary>
    public static async Task<IReadOnlyList<string>> DropReverseCaptureAsync(PgSession session, TableName table, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var names = PgReverseCapture.NamesFor(table);
        var found = await session.QueryAsync(PgObjects.RelationSql, [table.Schema, new[] { names.State, names.Misfits }], cancellationToken).ConfigureAwait(false);
        var function = await session.QueryAsync(PgObjects.FunctionSql, [table.Schema, names.Function], cancellationToken).ConfigureAwait(false);
        var ours = found.Where(r => ((string)r[1]!).StartsWith(PgObjects.Marker, StringComparison.Ordinal)).Select(r => $"table {r[0]}")
            .Concat(function.Where(r => ((string)r[0]!).StartsWith(PgObjects.Marker, StringComparison.Ordinal)).Select(_ => $"function {names.Function}() and its trigger {names.Trigger}"))
            .ToList();
        if (ours.Count > 0)
        {
            await PgObjects.WithLockRetriesAsync(session, lockTimeout, 20, string.Join("; ", DropStatements(table)), cancellationToken).ConfigureAwait(false);
        }

        return ours;
    }

    private static IEnumerable<string> DropStatements(TableName table)
    {
        var n = PgReverseCapture.NamesFor(table);
        yield return $"DROP TRIGGER IF EXISTS {D.QuoteIdentifier(n.Trigger)} ON {D.Qualified(table)}";
        yield return $"DROP FUNCTION IF EXISTS {D.Qualified(table.Schema, n.Function)}()";
        yield return $"DROP TABLE IF EXISTS {D.Qualified(table.Schema, n.Misfits)}, {D.Qualified(table.Schema, n.State)}";
    }

    /// <summary>Serial sequences owned by the new table go back to the old one's column; identity positions are carried and names traded.</summary>
    private IEnumerable<string> SequenceStatements(IReadOnlyList<object?[]> sequences, IReadOnlyList<object?[]> oldSequences)
    {
        foreach (var row in sequences)
        {
            var (sequence, column, kind) = ((string)row[0]!, (string)row[1]!, (string)row[2]!);
            if (_columns.FirstOrDefault(c => c.New == column) is not { Old: { } oldColumn })
            {
                continue;
            }

            if (kind == "a")
            {
                yield return $"ALTER SEQUENCE {sequence} OWNED BY {Old}.{D.QuoteIdentifier(oldColumn)}";
            }
            else if (oldSequences.FirstOrDefault(r => (string)r[1]! == oldColumn && (string)r[2]! == "i") is { } oldRow)
            {
                var target = (string)oldRow[0]!;
                yield return $"SELECT pg_catalog.setval({D.QuoteLiteral(target)}::regclass, s.last_value, s.is_called) FROM {sequence} s";
                var (newName, oldName) = ((string)row[3]!, (string)oldRow[3]!);
                var swap = HelperObjectNames.Derive(newName, "rsw", D.MaxIdentifierBytes);
                yield return $"ALTER SEQUENCE {sequence} RENAME TO {D.QuoteIdentifier(swap)}";
                yield return $"ALTER SEQUENCE {target} RENAME TO {D.QuoteIdentifier(newName)}";
                yield return $"ALTER SEQUENCE {D.Qualified((string)row[4]!, swap)} RENAME TO {D.QuoteIdentifier(oldName)}";
            }
        }
    }

    private IEnumerable<string> SwapBackStatements(HashSet<string> newIndexes, HashSet<string> oldIndexes)
    {
        foreach (var statement in DropStatements(table).Take(2))
        {
            yield return statement;
        }

        yield return $"ALTER TABLE {New} RENAME TO {D.QuoteIdentifier(_names.Swap)}";
        yield return $"ALTER TABLE {Old} RENAME TO {D.QuoteIdentifier(table.Name)}";
        yield return $"ALTER TABLE {D.Qualified(table.Schema, _names.Swap)} RENAME TO {D.QuoteIdentifier(_names.Old)}";
        foreach (var (original, derived) in _indexes)
        {
            if (newIndexes.Contains(original))
            {
                yield return PgCutOver.RenameIndex(table.Schema, original, HelperObjectNames.Derive(original, "rev", D.MaxIdentifierBytes));
            }

            if (oldIndexes.Contains(derived))
            {
                yield return PgCutOver.RenameIndex(table.Schema, derived, original);
            }
        }

        yield return DropStatements(table).Last();
    }

    private async Task<bool> InLockAsync(PgSession session, TimeSpan lockTimeout, Func<Task> work, bool lockBoth, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
        try
        {
            await session.ExecuteAsync("SET LOCAL synchronous_commit = on", null, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync(PgObjects.LockTimeout(lockTimeout), null, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync($"LOCK TABLE {New}{(lockBoth ? ", " + Old : string.Empty)} IN ACCESS EXCLUSIVE MODE", null, cancellationToken).ConfigureAwait(false);
            await work().ConfigureAwait(false);
            await session.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (PostgresException error) when (PgErrors.IsLockTimeout(error))
        {
            await session.RollbackQuietlyAsync().ConfigureAwait(false);
            return false;
        }
        catch
        {
            await session.RollbackQuietlyAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<bool> TriggerExistsAsync(PgSession session, CancellationToken cancellationToken) =>
        await session.ScalarAsync<long>(
            "SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgrelid = $1::regclass AND tgname = $2",
            [New, _names.Trigger],
            cancellationToken).ConfigureAwait(false) > 0;

    private static string TypeOf(PgTable table, string column) => table.Columns.First(c => c.Name == column).Type;

    private ShadowCopyException NotRevertible(string why) =>
        new($"{table} is not revertible: {why}. (Only a change made with alter --revertible can be reverted, until revert or finish ran.) Nothing was changed.", ExitCodes.RevertNotPossible);

    private async Task<PgSession> SessionAsync(CancellationToken cancellationToken)
    {
        if (_session is not null)
        {
            return _session;
        }

        try
        {
            _session = await PgSession.OpenAsync(settings, new SqlTranscript(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (PgConnectErrors.IsConnectFailure(error) && !cancellationToken.IsCancellationRequested)
        {
            throw PgConnectErrors.ToException(settings, error);
        }

        return _session;
    }

    public async ValueTask DisposeAsync()
    {
        if (_session is not null)
        {
            await _session.DisposeAsync().ConfigureAwait(false);
        }
    }

    private const string SequencesSql = """
        SELECT s.oid::regclass::text, a.attname::text, d.deptype::text, s.relname::text, n.nspname::text
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_catalog.pg_namespace n ON n.oid = s.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refobjid = $1 AND d.deptype IN ('a', 'i')
        """;

    private const string IndexNamesSql = "SELECT c.relname::text FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = $1";
}
