using System.Diagnostics;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.CutOver;

/// <summary>
/// Sessions that keep the re-pointed children and the table still across session A's UNLOCK until
/// session B's RENAME has returned (ADR 0026, "The hand-over"). Measured on MariaDB 10.11: the RENAME
/// takes MDL_SHARED on each child of the table it renames and then an InnoDB table lock (X) on it, so a
/// writer transaction that touched a child after the UNLOCK and then waits for t behind the RENAME
/// deadlocks with it across the two lock systems (no detector: lock wait timeout after the go token).
/// <list type="bullet">
/// <item>One session per child queues <c>LOCK TABLES child WRITE</c> behind A: a waiting
/// SHARED_NO_READ_WRITE request is served before waiting writers, even ones that queued earlier, so the
/// child goes from A straight to its holder. It is compatible with the RENAME's MDL_SHARED, and under
/// autocommit it takes no InnoDB table lock, so the RENAME never waits on it. One name per session:
/// LOCK TABLES takes its names one by one, and a second name A released before the session asked
/// for it would go to a writer.</item>
/// <item>One session queues <c>LOCK TABLES t READ</c> behind B: it gets t right after the RENAME
/// (which renamed or did not), before any writer. Should the RENAME fail, no row of t changes while the
/// children's keys point at the shadow; the child holders move them back meanwhile (an ALTER of a
/// child is compatible with the READ lock on its parent).</item>
/// </list>
/// </summary>
internal sealed class MySqlCutOverHolders : IAsyncDisposable
{
    private readonly MySqlAlterBackend _backend;
    private readonly List<Holder> _children = [];
    private Holder? _table;

    private MySqlCutOverHolders(MySqlAlterBackend backend) => _backend = backend;

    private sealed record Holder(MySqlSession Session, string Table, Task Lock);

    /// <summary>Whether every holder holds its lock now (after the RENAME returned, one way or the other).</summary>
    public bool AllHeld => _table is { Lock.IsCompletedSuccessfully: true } && _children.All(h => h.Lock.IsCompletedSuccessfully);

    /// <summary>Queues one holder per child behind A (each waits on its child's name alone).</summary>
    public static async Task<MySqlCutOverHolders> QueueChildrenAsync(MySqlAlterBackend backend, MySqlForeignKeys keys, MySqlSession locker, TimeSpan wait, CancellationToken cancellationToken)
    {
        var holders = new MySqlCutOverHolders(backend);
        try
        {
            foreach (var child in keys.Children)
            {
                holders._children.Add(await QueueAsync(backend, locker, $"{child.Quoted} WRITE", child.Quoted, wait, cancellationToken).ConfigureAwait(false));
            }
        }
        catch
        {
            await holders.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return holders;
    }

    /// <summary>Queues the table's holder behind B's RENAME.</summary>
    public async Task QueueTableAsync(MySqlSession locker, TimeSpan wait, CancellationToken cancellationToken) =>
        _table = await QueueAsync(_backend, locker, $"{_backend.Statements.Source} READ", _backend.Statements.Source, wait, cancellationToken).ConfigureAwait(false);

    /// <summary>The session holding <paramref name="schema"/>.<paramref name="table"/> (a child).</summary>
    public MySqlSession SessionOf(string schema, string table) =>
        _children.First(h => h.Table == MySqlStatements.Q(schema, table)).Session;

    /// <summary>The dry run's lines for the holders (none without children to re-point).</summary>
    public static IEnumerable<PlannedStatement> Describe(MySqlForeignKeys? keys, MySqlStatements sql)
    {
        if (keys is not { Repointed.Count: > 0 })
        {
            yield break;
        }

        foreach (var child in keys.Children)
        {
            yield return new("cut-over (holder of a child, queued behind A)", $"LOCK TABLES {child.Quoted} WRITE", false, "one session per child; gets the child at A's UNLOCK before any writer, holds it until the RENAME returned");
        }

        yield return new("cut-over (holder of the table, queued behind B)", $"LOCK TABLES {sql.Source} READ", false, "gets the table right after the RENAME, before any writer; released once the RENAME returned");
    }

    /// <summary>After the RENAME returned: waits until every holder has its lock (bounded by its lock_wait_timeout).</summary>
    public async Task AwaitHeldAsync()
    {
        foreach (var holder in _children.Append(_table).OfType<Holder>())
        {
            await holder.Lock.ConfigureAwait(false);
        }
    }

    /// <summary>Ends every holder: a lock still queued is killed, a held one released; the children first.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var holder in _children.Append(_table).OfType<Holder>())
        {
            await StopAsync(_backend, holder.Session, holder.Lock).ConfigureAwait(false);
            await holder.Session.ResetQuietlyAsync().ConfigureAwait(false);
            await holder.Session.DisposeAsync().ConfigureAwait(false);
        }

        _children.Clear();
        _table = null;
    }

    private static async Task<Holder> QueueAsync(MySqlAlterBackend backend, MySqlSession locker, string lockList, string table, TimeSpan wait, CancellationToken cancellationToken)
    {
        var session = await backend.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await session.ExecuteAsync(MySqlObjects.LockWaitTimeout(wait), cancellationToken).ConfigureAwait(false);
            var pending = session.ExecuteAsync($"LOCK TABLES {lockList}", CancellationToken.None);
            var holder = new Holder(session, table, pending);
            try
            {
                await WaitUntilQueuedAsync(locker, session.ConnectionId, pending, $"LOCK TABLES {lockList}", wait, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await StopAsync(backend, session, pending).ConfigureAwait(false);
                throw;
            }

            return holder;
        }
        catch
        {
            await session.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Returns once the statement of <paramref name="id"/> waits for a metadata lock (it must not run before A unlocks).</summary>
    internal static async Task WaitUntilQueuedAsync(MySqlSession observer, uint id, Task statement, string what, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (statement.IsCompleted)
            {
                await statement.ConfigureAwait(false);
                throw new TimeoutException($"{what} finished while the tables were locked");
            }

            var state = await observer.ScalarStringAsync($"SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = {id}", cancellationToken).ConfigureAwait(false);
            if (state is not null && state.Contains("metadata lock", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"{what} did not queue behind the lock in time");
    }

    /// <summary>Ends a statement still waiting on <paramref name="session"/> (KILL QUERY from the applier's session) and observes its end.</summary>
    internal static async Task StopAsync(MySqlAlterBackend backend, MySqlSession session, Task? statement)
    {
        if (statement is null)
        {
            return;
        }

        if (!statement.IsCompleted)
        {
            try
            {
                await backend.EnsureMainAsync(CancellationToken.None).ConfigureAwait(false);
                await backend.MainSession.ExecuteAsync($"KILL QUERY {session.ConnectionId}", CancellationToken.None).ConfigureAwait(false);
            }
            catch (MySqlException)
            {
                // Gone already.
            }
        }

        try
        {
            await statement.ConfigureAwait(false);
        }
        catch (Exception error) when (error is MySqlException or OperationCanceledException or TimeoutException)
        {
            // Expected: killed, timed out, or failed on a missing name.
        }
    }
}
