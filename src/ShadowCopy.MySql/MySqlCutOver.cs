using System.Diagnostics;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Engine;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// The swap (docs/cut-over.md). Trigger mode: one atomic <c>RENAME TABLE t TO _t_old, _t_new TO t</c>
/// with a bounded lock_wait_timeout. Binlog mode: writes must stop and the binlog be drained before
/// the swap, and MariaDB refuses RENAME TABLE under LOCK TABLES (error 1192), so gh-ost's sentry
/// algorithm: session A creates the sentry <c>_t_old</c> and holds LOCK TABLES t WRITE, _t_old WRITE;
/// the applier drains to the position read under the lock; session B issues the RENAME, which
/// queues ahead of every writer; A drops the sentry and unlocks, and B's RENAME runs first.
/// If A fails or dies before dropping the sentry, B's RENAME fails on the existing _t_old and the
/// original keeps serving.
/// </summary>
internal static class MySqlCutOver
{
    private static readonly TimeSpan RenameQueueDelay = TimeSpan.FromMilliseconds(100);

    public static async Task<CutOverAttempt> TryAsync(MySqlAlterBackend backend, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        await backend.EnsureMainAsync(cancellationToken).ConfigureAwait(false);
        await backend.CarryAutoIncrementForCutOverAsync(backend.MainSession, cancellationToken).ConfigureAwait(false);
        return backend.Binlog is null
            ? await RenameAsync(backend, lockTimeout, cancellationToken).ConfigureAwait(false)
            : await SentryAsync(backend, lockTimeout, cancellationToken).ConfigureAwait(false);
    }

    public static IEnumerable<PlannedStatement> Describe(MySqlAlterBackend backend)
    {
        var sql = backend.Statements;
        var lockText = $"lock_wait_timeout {backend.Options.CutOverLockTimeout.TotalSeconds:0} s, retried";
        if (backend.Binlog is null)
        {
            yield return new("cut-over", Rename(sql), false, lockText);
            yield break;
        }

        yield return new("cut-over (session A)", $"CREATE TABLE {sql.Old} (id INT) COMMENT=… /* sentry */", false);
        yield return new("cut-over (session A)", $"LOCK TABLES {sql.Source} WRITE, {sql.Old} WRITE", false, lockText);
        yield return new("cut-over (applier)", $"INSERT INTO {sql.Log} … 'marker …' /* then apply the binlog up to the marker */", false);
        yield return new("cut-over (session B, waits)", Rename(sql), false);
        yield return new("cut-over (session A)", $"DROP TABLE {sql.Old}; UNLOCK TABLES", false);
    }

    private static string Rename(MySqlStatements sql) => $"RENAME TABLE {sql.Source} TO {sql.Old}, {sql.Shadow} TO {sql.Source}";

    private static async Task<CutOverAttempt> RenameAsync(MySqlAlterBackend backend, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var main = backend.MainSession;
        var watch = Stopwatch.StartNew();
        try
        {
            await main.ExecuteAsync(MySqlObjects.LockWaitTimeout(lockTimeout), cancellationToken).ConfigureAwait(false);
            await main.ExecuteAsync(Rename(backend.Statements), cancellationToken).ConfigureAwait(false);
            return new CutOverAttempt(true, false, watch.ElapsedMilliseconds, null);
        }
        catch (MySqlServerException error) when (MySqlErrors.IsLockTimeout(error))
        {
            return new CutOverAttempt(false, true, watch.ElapsedMilliseconds, MySqlErrors.Describe(error));
        }
        catch (Exception error) when (MySqlErrors.IsConnectionLoss(error))
        {
            // Ambiguous: the RENAME may or may not have run. It is atomic, so the catalog says which.
            var swapped = await SwappedAsync(backend, cancellationToken).ConfigureAwait(false);
            Log.AmbiguousRenameResolved(backend.Logger, swapped);
            return new CutOverAttempt(swapped, !swapped, watch.ElapsedMilliseconds, swapped ? null : "connection lost before the RENAME ran");
        }
    }

    private static async Task<CutOverAttempt> SentryAsync(MySqlAlterBackend backend, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var sql = backend.Statements;
        var watch = Stopwatch.StartNew();
        var locker = await backend.OpenAsync(cancellationToken).ConfigureAwait(false);
        var renamer = await backend.OpenAsync(cancellationToken).ConfigureAwait(false);
        Task? rename = null;
        var sentryDropped = false;
        try
        {
            await locker.ExecuteAsync($"CREATE TABLE {sql.Old} (id INT NOT NULL) ENGINE=InnoDB COMMENT={MySqlEscaping.QuoteString(sql.Comment("cut-over sentry"), false)}", cancellationToken).ConfigureAwait(false);
            try
            {
                await locker.ExecuteAsync(MySqlObjects.LockWaitTimeout(lockTimeout), cancellationToken).ConfigureAwait(false);
                await locker.ExecuteAsync($"LOCK TABLES {sql.Source} WRITE, {sql.Old} WRITE", cancellationToken).ConfigureAwait(false);
            }
            catch (MySqlServerException error) when (MySqlErrors.IsLockTimeout(error))
            {
                return new CutOverAttempt(false, true, watch.ElapsedMilliseconds, MySqlErrors.Describe(error));
            }

            // Writes to t have stopped: everything they did is before the marker written now.
            var target = await backend.Binlog!.MarkAsync(backend.MainSession, sql, lockTimeout + TimeSpan.FromSeconds(10), cancellationToken, watchAfterMarker: true).ConfigureAwait(false);
            await backend.Binlog.DrainToAsync(backend.MainSession, target, lockTimeout + TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);

            await renamer.ExecuteAsync(MySqlObjects.LockWaitTimeout(lockTimeout + TimeSpan.FromSeconds(30)), cancellationToken).ConfigureAwait(false);
            rename = renamer.ExecuteAsync(Rename(sql), cancellationToken);
            await WaitUntilBlockedAsync(locker, renamer.ConnectionId, rename, lockTimeout, cancellationToken).ConfigureAwait(false);

            await locker.ExecuteAsync($"DROP TABLE {sql.Old}", cancellationToken).ConfigureAwait(false);
            sentryDropped = true;

            // B takes its metadata locks in name order, and "_t_…" sorts before "t": it was queued on
            // the sentry, and only now moves on to queue on t. Unlocking before it does would let the
            // waiting writers into the old table first (seen in the four-writer tests). There is no
            // catalog view of pending metadata locks without the metadata_lock_info plugin, so give B
            // a moment; ChangesAfterMarkerAsync then proves from the binlog that nothing slipped in.
            await Task.Delay(RenameQueueDelay, cancellationToken).ConfigureAwait(false);
            await locker.ExecuteAsync("UNLOCK TABLES", cancellationToken).ConfigureAwait(false);
            await rename.ConfigureAwait(false);
            backend.ChangesAfterDrain = await backend.Binlog.ChangesAfterMarkerAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            return new CutOverAttempt(true, false, watch.ElapsedMilliseconds, null);
        }
        catch (Exception error) when (error is MySqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            Log.CutOverFailed(backend.Logger, error.Message);
            await locker.ResetQuietlyAsync().ConfigureAwait(false);
            if (rename is not null)
            {
                try
                {
                    await rename.ConfigureAwait(false);
                }
                catch (MySqlException)
                {
                    // Expected: the RENAME fails on the sentry, which is the point of the sentry.
                }
            }

            var swapped = sentryDropped && await SwappedAsync(backend, cancellationToken).ConfigureAwait(false);
            return swapped
                ? new CutOverAttempt(true, false, watch.ElapsedMilliseconds, null)
                : new CutOverAttempt(false, true, watch.ElapsedMilliseconds, error.Message);
        }
        finally
        {
            await locker.DisposeAsync().ConfigureAwait(false);
            await renamer.DisposeAsync().ConfigureAwait(false);
            if (!sentryDropped)
            {
                await DropSentryAsync(backend, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task WaitUntilBlockedAsync(MySqlSession locker, uint renamerId, Task rename, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (rename.IsCompleted)
            {
                await rename.ConfigureAwait(false);
                throw new TimeoutException("the RENAME finished while the tables were locked");
            }

            var state = await locker.ScalarStringAsync($"SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = {renamerId}", cancellationToken).ConfigureAwait(false);
            if (state is not null && state.Contains("metadata lock", StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException("the RENAME did not queue behind the lock in time");
    }

    private static async Task DropSentryAsync(MySqlAlterBackend backend, CancellationToken cancellationToken)
    {
        var main = backend.MainSession;
        var comment = await main.ScalarStringAsync(
            $"SELECT TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = {main.Literal(backend.Statements.Schema)} AND BINARY TABLE_NAME = {main.Literal(backend.Names.Old)}",
            cancellationToken).ConfigureAwait(false);
        if (comment is not null && comment.StartsWith(MySqlStatements.Marker, StringComparison.Ordinal) && comment.Contains("sentry", StringComparison.Ordinal))
        {
            await MySqlObjects.WithLockRetriesAsync(main, backend.Options.CutOverLockTimeout, 10, $"DROP TABLE IF EXISTS {backend.Statements.Old}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>After an ambiguous RENAME: the original's name now holds the shadow (no _t_new left, _t_old present).</summary>
    private static async Task<bool> SwappedAsync(MySqlAlterBackend backend, CancellationToken cancellationToken)
    {
        await backend.EnsureMainAsync(cancellationToken).ConfigureAwait(false);
        var main = backend.MainSession;
        var names = new[] { backend.Options.Table.Name, backend.Names.Shadow, backend.Names.Old };
        var rows = await main.QueryAsync(
            $"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = {main.Literal(backend.Statements.Schema)} AND BINARY TABLE_NAME IN ({string.Join(", ", names.Select(main.Literal))})",
            cancellationToken).ConfigureAwait(false);
        var present = rows.Rows.Select(r => r.GetString(0)).ToHashSet(StringComparer.Ordinal);
        return present.Contains(names[0]) && !present.Contains(names[1]) && present.Contains(names[2]);
    }
}
