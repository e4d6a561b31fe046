using ShadowCopy.Core.Engine;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql;

/// <summary>
/// Replays one row change on the shadow: delete the before key, delete the after key, insert the
/// after image. Never REPLACE: with a UNIQUE key the original does not have, REPLACE would delete
/// whichever other row holds the value. A duplicate on a unique key that the original also
/// enforces can only be a replay-order artefact (the other row's newer image is still to come),
/// so the holder is removed and re-inserted later by its own event; on a new key it is a real
/// violation and fails the run.
/// </summary>
internal sealed class MySqlRowApplier
{
    private readonly MySqlStatements _sql;
    private readonly MyTable _source;
    private readonly IReadOnlyList<string?> _charsets;
    private readonly int[] _keyOrdinals;
    private readonly int[] _copiedOrdinals;

    public MySqlRowApplier(MySqlStatements sql, MyTable source, IReadOnlyList<string?> charsets)
    {
        _sql = sql;
        _source = source;
        _charsets = charsets;
        _keyOrdinals = sql.Key.Select(k => Ordinal(k.SourceName)).ToArray();
        _copiedOrdinals = sql.Copied.Select(c => Ordinal(c.SourceName)).ToArray();
    }

    /// <param name="session">The shadow's session (in the applier's transaction).</param>
    /// <param name="change">The row change, in binlog order.</param>
    /// <param name="removedKeys">When not null, each key this change removes is added (as SQL literals) for the lock-free copy's tombstones.</param>
    /// <param name="cancellationToken">Cancels the statements.</param>
    public async Task ApplyAsync(MySqlSession session, BinlogRowChange change, List<IReadOnlyList<string>>? removedKeys, CancellationToken cancellationToken)
    {
        if (change.Before is { } before)
        {
            await session.ExecuteAsync(DeleteByKey(before), cancellationToken).ConfigureAwait(false);
            if (removedKeys is not null && (change.After is null || !SameKey(before, change.After)))
            {
                removedKeys.Add(_keyOrdinals.Select(o => Literal(before, o)).ToList());
            }
        }

        if (change.After is not { } after)
        {
            return;
        }

        if (change.Before is null || !SameKey(change.Before, after))
        {
            await session.ExecuteAsync(DeleteByKey(after), cancellationToken).ConfigureAwait(false);
        }

        var insert = $"INSERT INTO {_sql.Shadow} ({_sql.ShadowColumns}) VALUES ({string.Join(", ", _copiedOrdinals.Select(o => Literal(after, o)))})";
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await session.ExecuteAsync(insert, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (MySqlServerException error) when (error.ErrorCode == MySqlErrors.DuplicateKey && attempt < 4)
            {
                await RemoveReplayConflictAsync(session, error, after, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task RemoveReplayConflictAsync(MySqlSession session, MySqlServerException error, BinlogRow after, CancellationToken cancellationToken)
    {
        var key = KeyName(error.Message);
        var shadow = await MySqlInspector.ReadAsync(session, _sql.Schema, _sql.Names.Shadow, cancellationToken).ConfigureAwait(false);
        var index = shadow.Indexes.FirstOrDefault(i => i.Name == key && i.IsUnique);
        var columns = index?.Columns.Select(c => _sql.Copied.FirstOrDefault(m => string.Equals(m.ShadowName, c, StringComparison.OrdinalIgnoreCase))).ToList();
        var enforcedByOriginal = columns is not null && columns.All(c => c is not null)
            && _source.Indexes.Any(i => i.IsUnique && i.Columns.Count <= columns.Count && i.Columns.All(c => columns.Any(m => string.Equals(m!.SourceName, c, StringComparison.OrdinalIgnoreCase))));
        if (!enforcedByOriginal)
        {
            throw new ShadowCopyException(
                $"A row written during the run violates the new unique key {key} ({error.Message}); the new table cannot hold the original's rows. Nothing was swapped; the original table is unchanged.",
                ExitCodes.AlterRejected,
                error);
        }

        var where = string.Join(" AND ", columns!.Select(m => $"{MySqlStatements.Q(m!.ShadowName)} <=> {Literal(after, Ordinal(m.SourceName))}"));
        await session.ExecuteAsync($"DELETE FROM {_sql.Shadow} WHERE {where}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>"Duplicate entry 'x' for key 'name'" (MySQL 8 qualifies it as 'table.name').</summary>
    internal static string KeyName(string message)
    {
        var at = message.LastIndexOf(" for key '", StringComparison.Ordinal);
        if (at < 0)
        {
            return string.Empty;
        }

        var name = message[(at + 10)..].TrimEnd('\'');
        var dot = name.LastIndexOf('.');
        return dot >= 0 ? name[(dot + 1)..] : name;
    }

    private string DeleteByKey(BinlogRow row) =>
        $"DELETE FROM {_sql.Shadow} WHERE {string.Join(" AND ", _sql.Key.Select((k, i) => $"{MySqlStatements.Q(k.ShadowName)} = {Literal(row, _keyOrdinals[i])}"))}";

    private bool SameKey(BinlogRow a, BinlogRow b) => _keyOrdinals.All(o => Literal(a, o) == Literal(b, o));

    private string Literal(BinlogRow row, int ordinal) => MySqlRowImage.Literal(row, ordinal, _charsets[ordinal]);

    private int Ordinal(string column)
    {
        for (var i = 0; i < _source.Columns.Count; i++)
        {
            if (string.Equals(_source.Columns[i].Name, column, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"column {column} not in the source");
    }
}
