using System.Diagnostics;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.CutOver;

/// <summary>
/// The swap (docs/cut-over.md). Trigger mode: one atomic <c>RENAME TABLE t TO _t_old, _t_new TO t</c>
/// with a bounded lock_wait_timeout. Binlog mode: writes must stop and the binlog be drained before
/// the swap, and MariaDB refuses RENAME TABLE under LOCK TABLES (error 1192), so: session A holds
/// LOCK TABLES t WRITE; the applier drains past a marker written under the lock; session B issues
/// <c>RENAME TABLE t TO _t_old, _t_new TO t, `t~go` TO `t~gone`</c>, which queues on t ahead of every
/// writer; only then is the go token <c>t~go</c> created, and A unlocks. If A fails or dies before
/// the token exists, B's RENAME fails on the missing token and the original keeps serving.
/// </summary>
internal static class MySqlCutOver
{
    public static async Task<CutOverAttempt> TryAsync(MySqlAlterBackend backend, TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken)
    {
        await backend.EnsureMainAsync(cancellationToken).ConfigureAwait(false);
        await backend.CarryAutoIncrementForCutOverAsync(backend.MainSession, cancellationToken).ConfigureAwait(false);
        // Another tool's triggers (alter --via pt-osc) write the shadow themselves: a plain RENAME.
        return backend.Binlog is null && backend.Triggers is null
            ? await RenameAsync(backend, lockTimeout, cancellationToken).ConfigureAwait(false)
            : await GoTokenAsync(backend, lockTimeout, verification, cancellationToken).ConfigureAwait(false);
    }

    public static IEnumerable<PlannedStatement> Describe(MySqlAlterBackend backend)
    {
        var sql = backend.Statements;
        var lockText = $"lock_wait_timeout {backend.Options.CutOverLockTimeout.TotalSeconds:0} s, retried";
        if (backend.ExternalTool)
        {
            yield return new("cut-over", Rename(sql), false, lockText);
            yield break;
        }

        var (go, gone) = GoTokens(backend);
        var keys = backend.ForeignKeys;
        yield return keys is { Repointed.Count: > 0 }
            ? new("cut-over (session A)", $"LOCK TABLES {keys.LockTables(sql.Source)} NOWAIT", false, $"tried again every few ms for up to {backend.Options.CutOverLockTimeout.TotalSeconds:0} s (never waits holding a table), retried")
            : new("cut-over (session A)", $"LOCK TABLES {keys?.LockTables(sql.Source) ?? sql.Source + " WRITE"}", false, lockText);
        yield return backend.Capture == CaptureMode.Binlog
            ? new("cut-over (applier)", $"INSERT INTO {sql.Log} … 'marker …' /* then apply the binlog up to the marker */", false)
            : new("cut-over (session A reads, applier writes)", $"{sql.TakeKeys(5_000)} /* read those keys' rows on A, stage and convert them on the applier, until the key log is empty */", false);
        yield return new("cut-over (session A, applier)", "/* compare the rows changed since their last verification: source on A, shadow on the applier's session */", false);
        // Only when the table has triggers of its own (ADR 0027); otherwise none of this runs under the lock.
        const string OwnTriggers = "only if the table has triggers of its own";
        foreach (var (_, guard) in MySqlCutOverGuards.Create(backend.Options.Table, []))
        {
            yield return new($"cut-over (session A, {OwnTriggers})", guard + " /* guard: a tool killed before the swap leaves writes refused, not skipping triggers; its comment carries the moved definitions */", false);
        }

        yield return new($"cut-over (session A, applier session, {OwnTriggers})", "DROP TRIGGER <each of the table's own triggers> /* on A */; CREATE DEFINER=… TRIGGER <same name, timing, event, body> ON " + sql.Shadow + " /* on the applier session, in firing order (ADR 0027) */", false);
        foreach (var statement in MySqlForeignKeys.DescribeSwap(keys, sql))
        {
            yield return statement;
        }

        yield return new("cut-over (session B, waits on the table)", $"{Rename(sql)}, {go} TO {gone}", false);
        var holders = MySqlCutOverHolders.Describe(keys, sql).ToList();
        foreach (var statement in holders)
        {
            yield return statement;
        }

        yield return new("cut-over (applier session)", $"CREATE TABLE {go} (id INT) COMMENT=… /* go token */", false);
        yield return new("cut-over (session A)", "UNLOCK TABLES", false);
        if (holders.Count > 0)
        {
            yield return new("cut-over (holders)", "UNLOCK TABLES /* each holder, once the RENAME returned; had it failed, the child holders first point the keys at the original again */", false);
        }
        yield return new("cut-over (applier session)", $"DROP TABLE {gone}", false);
        yield return new($"after cut-over ({OwnTriggers})", string.Join("; ", MySqlCutOverGuards.Drop(backend.Options.Table)) + $" /* the guards went to {sql.Old} with the RENAME; dropped with the capture triggers, kept old table or not */", false);
        foreach (var statement in MySqlForeignKeys.DescribeAfterSwap(keys, sql))
        {
            yield return statement;
        }
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

    /// <summary>Quoted (go, gone) token names; preflight refuses binlog capture for tables that have none.</summary>
    internal static (string Go, string Gone) GoTokens(MySqlAlterBackend backend)
    {
        var names = MySqlGoToken.For(backend.Options.Table.Name)
            ?? throw new InvalidOperationException("no go-token name for this table; preflight should have refused binlog capture");
        return (MySqlStatements.Q(backend.Statements.Schema, names.Go), MySqlStatements.Q(backend.Statements.Schema, names.Gone));
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Maintainability", "CA1508", Justification = "False positive: the analyzer reads moving (null or not, by a property pattern) and rename (set in the try) as always null.")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA2000", Justification = "holders is released by StopHoldersAsync on every path.")]
    private static async Task<CutOverAttempt> GoTokenAsync(MySqlAlterBackend backend, TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken)
    {
        var sql = backend.Statements;
        var (go, gone) = GoTokens(backend);
        var watch = Stopwatch.StartNew();

        // A token left by a failed attempt would let the RENAME through before the drain.
        await DropTokensAsync(backend, cancellationToken).ConfigureAwait(false);
        var revertible = backend.Options.Revertible;
        if (revertible)
        {
            await Revert.MySqlReverseCapture.PrepareAsync(backend, cancellationToken).ConfigureAwait(false);
        }

        var locker = await backend.OpenAsync(cancellationToken).ConfigureAwait(false);
        var renamer = await backend.OpenAsync(cancellationToken).ConfigureAwait(false);
        Task? rename = null;
        var goCreated = false;
        var triggers = new MySqlTriggerMove(backend);
        var moving = backend.ForeignKeys is { TouchesCutOver: true } touched ? touched : null;
        (IReadOnlyList<RowKey> Keys, KeyVerifyResult Result)? verified = null;
        MySqlCutOverHolders? holders = null;
        try
        {
            try
            {
                await locker.ExecuteAsync(MySqlObjects.LockWaitTimeout(lockTimeout), cancellationToken).ConfigureAwait(false);
                // Re-pointed children are locked too: their writes check the key that moves (ADR 0026).
                if (moving is { Repointed.Count: > 0 })
                {
                    await LockWithoutWaitingAsync(locker, moving.LockTables(sql.Source), lockTimeout, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await locker.ExecuteAsync($"LOCK TABLES {moving?.LockTables(sql.Source) ?? sql.Source + " WRITE"}", cancellationToken).ConfigureAwait(false);
                }
            }
            catch (MySqlServerException error) when (MySqlErrors.IsLockTimeout(error))
            {
                return new CutOverAttempt(false, true, watch.ElapsedMilliseconds, MySqlErrors.Describe(error));
            }

            // Writes to t have stopped: everything they did is before the marker written now (binlog),
            // or in the key log now (triggers: every writer has committed, no new one can start).
            if (backend.Binlog is { } binlog)
            {
                var target = await binlog.MarkAsync(backend.MainSession, sql, lockTimeout + TimeSpan.FromSeconds(10), watchAfterMarker: true, cancellationToken).ConfigureAwait(false);
                await binlog.DrainToAsync(backend.MainSession, target, lockTimeout + TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await backend.Triggers!.DrainUnderLockAsync(locker, backend.MainSession, cancellationToken).ConfigureAwait(false);
            }

            // Neither table can change now: every row changed since its last verification (the final
            // drain's included) is compared before the swap, as far as the lock budget allows (ADR 0019).
            if (verification.KeysWithinBudget() is not { } keys)
            {
                await locker.ResetQuietlyAsync().ConfigureAwait(false);
                return CutOverAttempt.TooManyToVerify(watch.ElapsedMilliseconds, verification.Pending, verification.Budget);
            }

            var compared = await backend.KeyVerifier.CompareAsync(locker, backend.MainSession, keys, cancellationToken).ConfigureAwait(false);
            verified = (keys, compared);
            if (compared.Mismatched.Count > 0)
            {
                await locker.ResetQuietlyAsync().ConfigureAwait(false);
                return new CutOverAttempt(false, false, watch.ElapsedMilliseconds, $"{compared.Mismatched.Count} changed row(s) differ from the original") { Verified = verified };
            }

            // The user's triggers go onto the shadow now, while no writer can reach t (ADR 0027).
            await triggers.ToShadowAsync(locker, cancellationToken).ConfigureAwait(false);
            if (revertible)
            {
                // The reverse capture rides along with the RENAME too (ADR 0031).
                await Revert.MySqlReverseCapture.InstallOnShadowAsync(backend, cancellationToken).ConfigureAwait(false);
            }

            // The keys move before B queues: B would hold the shadow's name while it waits for t.
            if (moving is not null)
            {
                await moving.PrepareSwapAsync(backend.MainSession, locker, sql, cancellationToken).ConfigureAwait(false);
            }

            // B's only contended name is t (A holds it; _t_new, _t_old and the tokens are free and the
            // applier is idle), so once B waits for a metadata lock it is queued on t, ahead of the
            // writers, whatever the names' order.
            await renamer.ExecuteAsync(MySqlObjects.LockWaitTimeout(lockTimeout + TimeSpan.FromSeconds(30)), cancellationToken).ConfigureAwait(false);
            rename = renamer.ExecuteAsync($"{Rename(sql)}, {go} TO {gone}", cancellationToken);
            await MySqlCutOverHolders.WaitUntilQueuedAsync(locker, renamer.ConnectionId, rename, "the RENAME", lockTimeout, cancellationToken).ConfigureAwait(false);
            if (moving is { Repointed.Count: > 0 })
            {
                // The children and t stay still from A's UNLOCK until the RENAME returned (ADR 0026, the hand-over).
                holders = await MySqlCutOverHolders.QueueChildrenAsync(backend, moving, locker, lockTimeout + TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
                await holders.QueueTableAsync(locker, lockTimeout + TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            }

            if (backend.BeforeGoTokenForTests is { } hook)
            {
                await hook(renamer.ConnectionId).ConfigureAwait(false);
            }

            await backend.MainSession.ExecuteAsync($"CREATE TABLE {go} (id INT NOT NULL) ENGINE=InnoDB COMMENT={MySqlEscaping.QuoteString(sql.Comment("cut-over go token"), false)}", cancellationToken).ConfigureAwait(false);
            goCreated = true;
            if (backend.AfterGoTokenForTests is { } afterHook)
            {
                await afterHook(renamer.ConnectionId).ConfigureAwait(false);
            }

            await locker.ExecuteAsync("UNLOCK TABLES", cancellationToken).ConfigureAwait(false);
            await rename.ConfigureAwait(false);
            moving?.Swapped();
            // Swapped: the children point at t under their names; writers may go on.
            await StopHoldersAsync(holders).ConfigureAwait(false);
            if (revertible)
            {
                await Revert.MySqlReverseCapture.MarkSwappedAsync(backend, cancellationToken).ConfigureAwait(false);
            }

            // Paranoia about the go token's guarantee: row changes that reached the old table between the
            // drain and the RENAME (the binlog after the marker, or the key log, whose triggers moved with it).
            // With --revertible the reverse triggers write the old table from the first write on, which fires the
            // capture triggers still on it: their key log then holds those writes too and proves nothing (ADR 0031).
            backend.ChangesAfterDrain = backend.Binlog is { } stream
                ? await stream.ChangesAfterMarkerAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false)
                : revertible ? 0 : await backend.Triggers!.BacklogAsync(backend.MainSession, cancellationToken).ConfigureAwait(false);
            return new CutOverAttempt(true, false, watch.ElapsedMilliseconds, null) { Verified = verified };
        }
        catch (Exception error) when (error is MySqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            Log.CutOverFailed(backend.Logger, error.Message);
            if (!goCreated)
            {
                // No go token, so no swap: the keys and the triggers go back while the lock still hides them.
                if (moving is not null)
                {
                    await StopHoldersAsync(holders).ConfigureAwait(false);
                    await MySqlCutOverHolders.StopAsync(backend, renamer, rename).ConfigureAwait(false);
                    await moving.UndoSwapAsync(locker, stillLocked: true, backend.MainSession, sql, backend.Options.Table, backend.Names, lockTimeout, backend.Options.CutOverAttempts, why: null, CancellationToken.None).ConfigureAwait(false);
                }

                await triggers.BackAsync(locker, renamer, rename).ConfigureAwait(false);
            }

            await locker.ResetQuietlyAsync().ConfigureAwait(false);
            if (rename is not null)
            {
                try
                {
                    await rename.ConfigureAwait(false);
                }
                catch (Exception renameError) when (renameError is MySqlException or OperationCanceledException)
                {
                    // Expected without the token (or killed by StopRenameAsync): the RENAME fails as a whole, which is the point of it.
                }
            }

            var held = holders is not null && goCreated && await HoldersHoldAsync(holders).ConfigureAwait(false);
            var swapped = goCreated && await SwappedAsync(backend, cancellationToken).ConfigureAwait(false);
            if (revertible && goCreated && !swapped)
            {
                await Revert.MySqlReverseCapture.UndoAsync(backend).ConfigureAwait(false);
            }
            else if (revertible && swapped)
            {
                await Revert.MySqlReverseCapture.MarkSwappedAsync(backend, CancellationToken.None).ConfigureAwait(false);
            }

            if (swapped)
            {
                moving?.Swapped();
            }
            else if (held)
            {
                // The RENAME failed after the token, but the holders got t and the children before any writer:
                // the keys go back while nothing can write either (ADR 0026).
                try
                {
                    await moving!.UndoChildrenAsync(r => holders!.SessionOf(r.Key.ChildSchema, r.Key.ChildTable), sql, CancellationToken.None).ConfigureAwait(false);
                }
                catch (MySqlException undoError)
                {
                    // A holder's session is gone: what is left goes back without the lock below, with the orphan check.
                    Log.CutOverFailed(backend.Logger, "moving the children's keys back under the holders: " + undoError.Message);
                }
            }

            await StopHoldersAsync(holders).ConfigureAwait(false);
            if (!swapped && moving is not null && goCreated)
            {
                await backend.EnsureMainAsync(CancellationToken.None).ConfigureAwait(false);
                await moving.UndoSwapAsync(locker, stillLocked: false, backend.MainSession, sql, backend.Options.Table, backend.Names, lockTimeout, backend.Options.CutOverAttempts, error.Message, CancellationToken.None).ConfigureAwait(false);
            }

            if (!swapped && triggers.Moved)
            {
                await MySqlUserTriggers.RestoreFromShadowAsync(backend.MainSession, backend.Options.Table, backend.Names.Shadow, lockTimeout, cancellationToken).ConfigureAwait(false);
            }

            return swapped
                ? new CutOverAttempt(true, false, watch.ElapsedMilliseconds, null) { Verified = verified }
                : new CutOverAttempt(false, true, watch.ElapsedMilliseconds, error.Message);
        }
        finally
        {
            if (moving is { Moved: true } && !goCreated)
            {
                // Cancelled (or an unexpected error) inside the lock: the keys go back before the lock ends.
                await StopHoldersAsync(holders).ConfigureAwait(false);
                await MySqlCutOverHolders.StopAsync(backend, renamer, rename).ConfigureAwait(false);
                await moving.UndoSwapAsync(locker, stillLocked: true, backend.MainSession, sql, backend.Options.Table, backend.Names, lockTimeout, backend.Options.CutOverAttempts, why: null, CancellationToken.None).ConfigureAwait(false);
            }

            if (!goCreated && triggers.Moved)
            {
                // Cancelled (or an unexpected failure) between the move and the token: same as above.
                // Should that fail too, cleanup and --resume move them back from the shadow.
                try
                {
                    await triggers.BackAsync(locker, renamer, rename).ConfigureAwait(false);
                }
                catch (MySqlException error)
                {
                    Log.CutOverFailed(backend.Logger, "moving the table's triggers back: " + error.Message);
                }
            }

            if (revertible && !goCreated)
            {
                // No swap: B's queued RENAME holds the shadow's metadata lock; end it, then take the reverse capture off.
                await MySqlCutOverHolders.StopAsync(backend, renamer, rename).ConfigureAwait(false);
                await Revert.MySqlReverseCapture.UndoAsync(backend).ConfigureAwait(false);
            }

            await StopHoldersAsync(holders).ConfigureAwait(false);
            await locker.DisposeAsync().ConfigureAwait(false);
            await renamer.DisposeAsync().ConfigureAwait(false);
            await DropTokensAsync(backend, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Several tables under one LOCK TABLES: the server takes them one at a time and waits holding the ones
    /// it has, so an application transaction that holds a child and then asks for t closes a metadata-lock
    /// cycle, and the server picks the application's statement as the victim (error 1213, measured). With
    /// NOWAIT session A never waits while holding anything: it tries again until the lock budget is spent.
    /// </summary>
    private static async Task LockWithoutWaitingAsync(MySqlSession locker, string tables, TimeSpan budget, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await locker.ExecuteAsync($"LOCK TABLES {tables} NOWAIT", cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (MySqlServerException error) when (MySqlErrors.IsLockTimeout(error) && watch.Elapsed < budget)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(2, 12)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether every holder got its lock once the RENAME returned (a holder that failed means the fallback without lock).</summary>
    private static async Task<bool> HoldersHoldAsync(MySqlCutOverHolders holders)
    {
        try
        {
            await holders.AwaitHeldAsync().ConfigureAwait(false);
            return holders.AllHeld;
        }
        catch (Exception error) when (error is MySqlException or OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task StopHoldersAsync(MySqlCutOverHolders? holders)
    {
        if (holders is not null)
        {
            await holders.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task DropTokensAsync(MySqlAlterBackend backend, CancellationToken cancellationToken)
    {
        await backend.EnsureMainAsync(cancellationToken).ConfigureAwait(false);
        await MySqlObjects.DropGoTokensAsync(backend.MainSession, backend.Options.Table, backend.Options.CutOverLockTimeout, 10, cancellationToken).ConfigureAwait(false);
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
