using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Revert;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Revert;

/// <summary>
/// <c>revert</c> / <c>finish</c> on MariaDB/MySQL (ADR 0031). The reverse triggers keep the old table
/// equal to the new one mapped back at every commit, so the swap back is one atomic
/// <c>RENAME TABLE t TO _t_rsw, _t_old TO t, _t_rsw TO _t_old</c> under a bounded lock_wait_timeout (no
/// drain needed); the triggers moved along with the new table and are dropped right after.
/// </summary>
public sealed class MySqlRevertBackend(MySqlSettings settings, TableName table) : IRevertBackend
{
    private readonly RevertNames _names = MySqlReverseCapture.NamesFor(table);
    private MySqlSession? _session;
    private List<(string Old, string New)> _columns = [];
    private MyTable? _old;
    private bool _swappedBack;

    private string Old => MySqlStatements.Q(table.Schema, _names.Old);

    private string New => MySqlStatements.Q(table.Schema, table.Name);

    private string Misfits => MySqlStatements.Q(table.Schema, _names.Misfits);

    public async Task<RevertPlan> InspectAsync(CancellationToken cancellationToken)
    {
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        var checkpoint = HelperObjectNames.Derive(table.Name, "state", MySqlDialect.Instance.MaxIdentifierBytes);
        var helpers = await MySqlObjects.HelperTablesAsync(session, table.Schema, [_names.State, _names.Misfits, _names.Old, checkpoint], cancellationToken).ConfigureAwait(false);
        if (!helpers.GetValueOrDefault(_names.State) || !helpers.GetValueOrDefault(_names.Misfits))
        {
            throw NotRevertible("no reverse-capture state");
        }

        // A forward run killed after its swap keeps its checkpoint (and its capture) until --resume
        // finishes the cleanup: going back now would leave them behind for good.
        if (helpers.GetValueOrDefault(checkpoint))
        {
            throw NotRevertible($"the alter that made the change stopped before its cleanup (its checkpoint {checkpoint} is still there): finish it first with the same `shadowcopy alter … --execute --resume`, then run revert again");
        }

        var state = await session.QueryAsync($"SELECT columns_json, DATE_FORMAT(swapped_at, '%Y-%m-%dT%H:%i:%sZ'), reverted_at IS NOT NULL FROM {MySqlStatements.Q(table.Schema, _names.State)} WHERE id = 1 AND swapped_at IS NOT NULL", cancellationToken).ConfigureAwait(false);
        if (state.Rows.Count == 0 || !helpers.ContainsKey(_names.Old))
        {
            throw NotRevertible(state.Rows.Count == 0 ? "the swap of the revertible run did not happen" : $"{Old} is gone");
        }

        _columns = [.. JsonSerializer.Deserialize<string[][]>(state.Rows[0].GetString(0))!.Select(p => (p[0], p[1]))];
        var since = DateTimeOffset.TryParse(state.Rows[0].GetString(1), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;

        // An earlier revert was stopped (killed) after its RENAME and before it removed the reverse capture:
        // the state says so, or the triggers sit on _t_old (they moved with the new shape). A rerun finishes it.
        _swappedBack = state.Rows[0].GetInt64(2) == 1 || await TriggerCountAsync(session, _names.Old, cancellationToken).ConfigureAwait(false) > 0;
        if (_swappedBack)
        {
            return new RevertPlan($"{table.Schema}.{_names.Old}", since, _columns, [], [], await session.ScalarInt64Async($"SELECT COUNT(*) FROM {Misfits}", cancellationToken).ConfigureAwait(false), [.. DropStatements(table)])
            {
                SwappedBack = true,
            };
        }

        if (await TriggerCountAsync(session, table.Name, cancellationToken).ConfigureAwait(false) < _names.Triggers.Count)
        {
            throw NotRevertible($"its reverse triggers are gone, so {Old} is no longer in step");
        }

        _old = await MySqlInspector.ReadAsync(session, table.Schema, _names.Old, cancellationToken).ConfigureAwait(false);
        var current = await MySqlInspector.ReadAsync(session, table.Schema, table.Name, cancellationToken).ConfigureAwait(false);
        var lost = new List<string>();
        var mappedNew = _columns.Select(c => c.New).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var mappedOld = _columns.Select(c => c.Old).ToHashSet(StringComparer.OrdinalIgnoreCase);
        lost.AddRange(current.Columns.Where(c => !mappedNew.Contains(c.Name) && !c.IsGenerated).Select(c => $"column {c.Name} exists only in the new shape; its values are lost"));
        lost.AddRange(_old.Columns.Where(c => !mappedOld.Contains(c.Name) && !c.IsGenerated).Select(c => $"column {c.Name} comes back as its default or NULL for rows written since the swap"));
        foreach (var (o, n) in _columns)
        {
            var (oldType, newType) = (_old.Column(o)!.ColumnType, current.Column(n)!.ColumnType);
            if (!string.Equals(oldType, newType, StringComparison.OrdinalIgnoreCase))
            {
                lost.Add($"{n} {newType} goes back to {o} {oldType}; values that do not fit are listed as misfits");
            }
        }

        var misfits = await session.QueryAsync($"SELECT k, error FROM {Misfits} ORDER BY at LIMIT 10", cancellationToken).ConfigureAwait(false);
        var count = await session.ScalarInt64Async($"SELECT COUNT(*) FROM {Misfits}", cancellationToken).ConfigureAwait(false);
        return new RevertPlan(
            $"{table.Schema}.{_names.Old}",
            since,
            _columns,
            lost,
            [.. misfits.Rows.Select(r => $"{r.GetString(0)}: {r.GetString(1)}")],
            count,
            [$"SET SESSION lock_wait_timeout = … /* retried */; {Rename()}", .. DropStatements(table)]);
    }

    public async Task<RevertCheck> VerifyAsync(CancellationToken cancellationToken)
    {
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", cancellationToken).ConfigureAwait(false);
        try
        {
            var o = await ChecksumAsync(session, Old, _columns.Select(c => (c.Old, _old!.Column(c.Old)!)), cancellationToken).ConfigureAwait(false);
            var n = await ChecksumAsync(session, New, _columns.Select(c => (c.New, _old!.Column(c.Old)!)), cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            return new RevertCheck(o.Rows, o.Sum, n.Rows, n.Sum);
        }
        catch
        {
            await session.ResetQuietlyAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task<bool> TrySwapBackAsync(TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        if (!_swappedBack)
        {
            if (await session.ScalarInt64Async($"SELECT COUNT(*) FROM {Misfits}", cancellationToken).ConfigureAwait(false) > 0
                || await TriggerCountAsync(session, table.Name, cancellationToken).ConfigureAwait(false) < _names.Triggers.Count)
            {
                throw NotRevertible("a row that does not fit back was written, or a reverse trigger went away, just now; run revert again to see which");
            }

            try
            {
                await session.ExecuteAsync(MySqlObjects.LockWaitTimeout(lockTimeout), cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync(Rename(), cancellationToken).ConfigureAwait(false);
            }
            catch (MySqlServerException error) when (MySqlErrors.IsLockTimeout(error))
            {
                return false;
            }

            // Swapped back: say so in the state first, so a rerun after a kill from here on only finishes the drops.
            _swappedBack = true;
            await session.ExecuteAsync($"UPDATE {MySqlStatements.Q(table.Schema, _names.State)} SET reverted_at = UTC_TIMESTAMP(6) WHERE id = 1", CancellationToken.None).ConfigureAwait(false);
        }

        // The check above and the RENAME are two statements (RENAME cannot run under LOCK TABLES): a row that
        // did not fit, written in between, would be swapped back without its newest value. Say so, naming it.
        var late = await session.QueryAsync($"SELECT k FROM {Misfits} ORDER BY at LIMIT 10", CancellationToken.None).ConfigureAwait(false);

        // The triggers moved with the new shape (now _t_old) and nothing writes there any more.
        foreach (var statement in DropStatements(table))
        {
            await MySqlObjects.WithLockRetriesAsync(session, lockTimeout, 20, statement, CancellationToken.None).ConfigureAwait(false);
        }

        if (late.Rows.Count > 0)
        {
            throw new ShadowCopyException(
                $"Swapped back, but row(s) {string.Join(", ", late.Rows.Select(r => r.GetString(0)))} were written just before the swap with values the old shape cannot hold; their newest values are in {Old} (the new shape). Reconcile them from there.",
                ExitCodes.VerificationFailed);
        }

        return true;
    }

    public async Task<bool> TryFinishAsync(bool keepOldTable, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var statement in DropStatements(table).Append(keepOldTable ? null : $"DROP TABLE IF EXISTS {Old}").OfType<string>())
            {
                await session.ExecuteAsync(MySqlObjects.LockWaitTimeout(lockTimeout), cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync(statement, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (MySqlServerException error) when (MySqlErrors.IsLockTimeout(error))
        {
            return false;
        }

        return true;
    }

    /// <summary>cleanup: the reverse capture's triggers and tables that carry our marker; never the old table.</summary>
    internal static async Task<IReadOnlyList<string>> DropReverseCaptureAsync(MySqlSession session, TableName table, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var n = MySqlReverseCapture.NamesFor(table);
        var dropped = new List<string>();
        var triggers = await session.QueryAsync(
            $"SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {session.Literal(table.Schema)} AND BINARY TRIGGER_NAME IN ({string.Join(", ", n.Triggers.Select(t => session.Literal(t.Name)))}) AND ACTION_STATEMENT LIKE {session.Literal("%" + MySqlStatements.Marker + "reverse capture%")}",
            cancellationToken).ConfigureAwait(false);
        foreach (var name in triggers.Rows.Select(r => r.GetString(0)))
        {
            await MySqlObjects.WithLockRetriesAsync(session, lockTimeout, 20, $"DROP TRIGGER IF EXISTS {MySqlStatements.Q(table.Schema, name)}", cancellationToken).ConfigureAwait(false);
            dropped.Add($"trigger {name}");
        }

        foreach (var (name, ours) in await MySqlObjects.HelperTablesAsync(session, table.Schema, [n.Misfits, n.State], cancellationToken).ConfigureAwait(false))
        {
            if (ours)
            {
                await MySqlObjects.WithLockRetriesAsync(session, lockTimeout, 20, $"DROP TABLE IF EXISTS {MySqlStatements.Q(table.Schema, name)}", cancellationToken).ConfigureAwait(false);
                dropped.Add($"table {name}");
            }
        }

        return dropped;
    }

    private static IEnumerable<string> DropStatements(TableName table)
    {
        var n = MySqlReverseCapture.NamesFor(table);
        foreach (var (_, name) in n.Triggers)
        {
            yield return $"DROP TRIGGER IF EXISTS {MySqlStatements.Q(table.Schema, name)}";
        }

        yield return $"DROP TABLE IF EXISTS {MySqlStatements.Q(table.Schema, n.Misfits)}, {MySqlStatements.Q(table.Schema, n.State)}";
    }

    private string Rename() =>
        $"RENAME TABLE {New} TO {MySqlStatements.Q(table.Schema, _names.Swap)}, {Old} TO {New}, {MySqlStatements.Q(table.Schema, _names.Swap)} TO {Old}";

    /// <summary>
    /// Order-independent checksum over the mapped columns, each normalised by the old column's type
    /// family so a widened type (DECIMAL scale, DATETIME precision, charset) compares by value.
    /// </summary>
    private static async Task<(long Rows, string Sum)> ChecksumAsync(MySqlSession session, string from, IEnumerable<(string Column, MyColumn OldType)> columns, CancellationToken cancellationToken)
    {
        var values = columns.Select(c => Normalise(c.OldType, "x." + MySqlStatements.Q(c.Column))).ToList();
        var row = $"CONCAT_WS('#', {string.Join(", ", values)}, CONCAT({string.Join(", ", values.Select(v => $"ISNULL({v})"))}))";
        var result = await session.QueryAsync(
            $"SELECT COUNT(*), CONCAT(COALESCE(SUM(CRC32({row})), 0), '/', COALESCE(BIT_XOR(CAST(CONV(LEFT(MD5({row}), 16), 16, 10) AS UNSIGNED)), 0)) FROM {from} x",
            cancellationToken).ConfigureAwait(false);
        return (result.Rows[0].GetInt64(0), result.Rows[0].GetString(1));
    }

    private static string Normalise(MyColumn type, string value) => type.DataType switch
    {
        "decimal" or "numeric" => $"CAST({value} AS DECIMAL(65,30))",
        "float" or "double" or "real" => $"CAST({value} AS DOUBLE)",
        "date" or "datetime" or "timestamp" => $"CAST({value} AS DATETIME(6))",
        _ when type.IsText => $"CONVERT({value} USING utf8mb4)",
        _ => value,
    };

    /// <summary>How many of the reverse triggers are on <paramref name="on"/> (the table, or _t_old once swapped back).</summary>
    private async Task<long> TriggerCountAsync(MySqlSession session, string on, CancellationToken cancellationToken) =>
        await session.ScalarInt64Async(
            $"SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {session.Literal(table.Schema)} AND BINARY EVENT_OBJECT_TABLE = {session.Literal(on)} AND BINARY TRIGGER_NAME IN ({string.Join(", ", _names.Triggers.Select(t => session.Literal(t.Name)))})",
            cancellationToken).ConfigureAwait(false);

    private ShadowCopyException NotRevertible(string why) =>
        new($"{table} is not revertible: {why}. (Only a change made with alter --revertible can be reverted, until revert or finish ran.) Nothing was changed.", ExitCodes.RevertNotPossible);

    private async Task<MySqlSession> SessionAsync(CancellationToken cancellationToken)
    {
        if (_session is not null)
        {
            return _session;
        }

        try
        {
            _session = await MySqlSession.OpenAsync(settings, new SqlTranscript(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (MySqlConnectErrors.IsConnectFailure(error))
        {
            throw MySqlConnectErrors.ToException(settings, error);
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
}
