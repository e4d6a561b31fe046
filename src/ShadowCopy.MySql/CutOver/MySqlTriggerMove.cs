using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.CutOver;

/// <summary>
/// The cut-over's move of the user's triggers from the original to the shadow (ADR 0027), done
/// while session A holds LOCK TABLES t WRITE: no write reaches t between the drop and the RENAME
/// that puts the shadow, triggers and all, under t's name. Guard triggers go on t first
/// (<see cref="MySqlCutOverGuards"/>): they leave with the old table at the RENAME, and are dropped
/// after it. <see cref="BackAsync"/> undoes it all (under the same lock) when the swap does not happen.
/// </summary>
internal sealed class MySqlTriggerMove(MySqlAlterBackend backend)
{
    private IReadOnlyList<MySqlUserTrigger> _triggers = [];

    /// <summary>Whether the triggers may be off the original now.</summary>
    public bool Moved { get; private set; }

    public int Count => _triggers.Count;

    private string Schema => backend.Options.Table.Schema;

    public async Task ToShadowAsync(MySqlSession locker, CancellationToken cancellationToken)
    {
        // Read under the lock: exactly the triggers the original has at the swap.
        _triggers = await MySqlUserTriggers.ReadAsync(locker, Schema, backend.Options.Table.Name, cancellationToken).ConfigureAwait(false);
        if (_triggers.Count == 0)
        {
            return;
        }

        Moved = true;
        // First the guards: from here until the swap, a tool killed mid-way leaves t refusing writes, not skipping triggers.
        foreach (var (_, guard) in MySqlCutOverGuards.Create(backend.Options.Table, _triggers))
        {
            await locker.ExecuteAsync(guard, cancellationToken).ConfigureAwait(false);
        }

        foreach (var trigger in _triggers)
        {
            // Under LOCK TABLES … WRITE the locking session may drop and create t's triggers.
            await locker.ExecuteAsync($"DROP TRIGGER {MySqlStatements.Q(Schema, trigger.Name)}", cancellationToken).ConfigureAwait(false);
        }

        foreach (var trigger in _triggers)
        {
            // The shadow is not locked by A; the applier's session (idle now) creates them there, in firing order.
            await MySqlUserTriggers.CreateAsync(backend.MainSession, trigger, Schema, backend.Names.Shadow, name: null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Puts every moved trigger back on the original, in order, while A still holds its lock. A queued
    /// RENAME (session B) holds the shadow's metadata lock while it waits for t, so it is killed first
    /// (it fails as a whole; without the go token it could never have succeeded anyway).
    /// </summary>
    public async Task BackAsync(MySqlSession locker, MySqlSession renamer, Task? rename)
    {
        if (!Moved)
        {
            return;
        }

        var none = CancellationToken.None;
        await backend.EnsureMainAsync(none).ConfigureAwait(false);
        if (rename is { IsCompleted: false })
        {
            await backend.MainSession.ExecuteAsync($"KILL QUERY {renamer.ConnectionId}", none).ConfigureAwait(false);
            try
            {
                await rename.ConfigureAwait(false);
            }
            catch (Exception error) when (error is MySqlException or OperationCanceledException)
            {
                // Expected: interrupted.
            }
        }

        foreach (var name in (await MySqlUserTriggers.ReadAsync(backend.MainSession, Schema, backend.Names.Shadow, none).ConfigureAwait(false)).Select(t => t.Name))
        {
            await backend.MainSession.ExecuteAsync($"DROP TRIGGER IF EXISTS {MySqlStatements.Q(Schema, name)}", none).ConfigureAwait(false);
        }

        // Drop what is left on t too, then create all in order: the firing order comes back exactly.
        foreach (var trigger in _triggers)
        {
            await locker.ExecuteAsync($"DROP TRIGGER IF EXISTS {MySqlStatements.Q(Schema, trigger.Name)}", none).ConfigureAwait(false);
        }

        foreach (var trigger in _triggers)
        {
            await MySqlUserTriggers.CreateAsync(locker, trigger, Schema, backend.Options.Table.Name, name: null, none).ConfigureAwait(false);
        }

        // Only once every trigger is back, still under the lock.
        foreach (var drop in MySqlCutOverGuards.Drop(backend.Options.Table))
        {
            await locker.ExecuteAsync(drop, none).ConfigureAwait(false);
        }

        Moved = false;
    }
}
