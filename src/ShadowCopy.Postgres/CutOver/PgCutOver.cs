using System.Diagnostics;
using Npgsql;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Verification;
using ShadowCopy.Postgres.Capture;
using ShadowCopy.Postgres.Shadow;
using ShadowCopy.Postgres.Verify;

namespace ShadowCopy.Postgres.CutOver;

/// <summary>
/// The swap, in one transaction: ACCESS EXCLUSIVE on the original with a bounded lock_timeout,
/// drain the change log, drop the trigger, rename original → _t_old and shadow → t, give the
/// original names back to indexes, constraints and identity sequences, move serial ownership and
/// sequence positions, carry owner, grants, replica identity and comment, and re-create foreign
/// keys NOT VALID (validated after commit, without blocking writes). Either all of it commits or
/// none of it does; a lock timeout leaves the original serving.
/// </summary>
internal sealed class PgCutOver(PgRun run, PgSwapStatements swap) : ICutOverStrategy
{
    private static readonly PgDialect D = PgDialect.Instance;

    private readonly List<(string Table, string Constraint)> _toValidate = [];
    private long _lockHeldMs;

    /// <summary>How long the successful cut-over held ACCESS EXCLUSIVE (drain and swap), in ms.</summary>
    public long LockHeldMs => _lockHeldMs;

    public async Task<CutOverAttempt> TryCutOverAsync(TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken)
    {
        run.Transcript.Step = "cut-over";
        run.Side ??= await run.OpenAsync(cancellationToken).ConfigureAwait(false);
        var session = run.Side;
        // Read what the swap needs before taking the lock, to keep the lock short.
        var quiet = run.Transcript.Pause();
        var shadow = await PgInspector.ReadAsync(session, new TableName(run.Table.Schema, run.Names.Shadow), cancellationToken).ConfigureAwait(false)
            ?? throw new ShadowCopyException("The shadow table disappeared before cut-over.", ExitCodes.CutOverFailed);
        var grants = await session.QueryAsync(GrantsSql, [run.Source!.Oid], cancellationToken).ConfigureAwait(false);
        var currentUser = await session.ScalarAsync<string>("SELECT current_user", null, cancellationToken).ConfigureAwait(false);
        quiet.Dispose();

        // Let the change stream catch up before locking (for logical capture the decoder may still
        // be working through the WAL the copy wrote); the fence under the lock then covers seconds,
        // not the whole copy, and writers wait only for that.
        await run.Capture.FenceAsync(session, run.Main, applyInOwnTransaction: true, run.CaptureOptions.CatchUpFenceTimeout, cancellationToken).ConfigureAwait(false);
        while (await run.Capture.ApplyAsync(run.Main, run.Options.ApplyBatchSize, ownTransaction: true, cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        // The swap renames the shadow too (ACCESS EXCLUSIVE): an autoanalyze of the freshly filled shadow would hold writers as well.
        await run.ClearAutovacuumAsync(session, shadow.Oid, cancellationToken).ConfigureAwait(false);
        var wait = Stopwatch.StartNew();
        long waitedMs = 0;
        var committing = false;
        (IReadOnlyList<RowKey> Keys, KeyVerifyResult Result)? verified = null;
        try
        {
            await session.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
            // Durable before anything is reported or acknowledged, whatever the server's default.
            await session.ExecuteAsync("SET LOCAL synchronous_commit = on", null, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync(PgObjects.LockTimeout(lockTimeout), null, cancellationToken).ConfigureAwait(false);
            await session.ExecuteAsync($"LOCK TABLE {run.Sql.Source} IN ACCESS EXCLUSIVE MODE", null, cancellationToken).ConfigureAwait(false);
            waitedMs = wait.ElapsedMilliseconds;
            await run.Capture.FenceAsync(session, session, applyInOwnTransaction: false, run.CaptureOptions.FenceTimeout, cancellationToken).ConfigureAwait(false);
            while (await run.Capture.ApplyAsync(session, 100_000, ownTransaction: false, cancellationToken).ConfigureAwait(false) > 0)
            {
            }

            // Nothing else can write either table now: every row changed since its last verification
            // (the drain's included) is compared before the swap, as far as the lock budget allows (ADR 0019).
            if (verification.KeysWithinBudget() is not { } keys)
            {
                await session.RollbackQuietlyAsync().ConfigureAwait(false);
                return CutOverAttempt.TooManyToVerify(wait.ElapsedMilliseconds, verification.Pending, verification.Budget);
            }

            var compared = await PgKeyVerifier.CompareAsync(run.Sql, session, session, keys, excludePending: false, cancellationToken).ConfigureAwait(false);
            verified = (keys, compared);
            if (compared.Mismatched.Count > 0)
            {
                await session.RollbackQuietlyAsync().ConfigureAwait(false);
                return new CutOverAttempt(false, false, wait.ElapsedMilliseconds, $"{compared.Mismatched.Count} changed row(s) differ from the original") { Verified = verified };
            }

            // Read under the lock: exactly the triggers the original has at the swap (ADR 0027).
            var triggers = await PgUserTriggers.ReadAsync(session, run.Source!.Oid, run.Names.Trigger, cancellationToken).ConfigureAwait(false);
            foreach (var statement in swap.Build(shadow, grants, currentUser!, triggers, _toValidate))
            {
                await session.ExecuteAsync(statement.Sql, statement.Args, cancellationToken).ConfigureAwait(false);
            }

            committing = true;
            await session.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            _lockHeldMs = wait.ElapsedMilliseconds - waitedMs;
            Log.Swapped(run.Logger, run.Table, _lockHeldMs);
            return new CutOverAttempt(true, false, waitedMs, null) { Verified = verified };
        }
        catch (PostgresException error) when (PgErrors.IsLockTimeout(error))
        {
            await session.RollbackQuietlyAsync().ConfigureAwait(false);
            Log.CutOverFailed(run.Logger, error.MessageText);
            return new CutOverAttempt(false, true, wait.ElapsedMilliseconds, error.MessageText);
        }
        catch (PgFenceTimeoutException error)
        {
            // Holding the lock while the stream lags would stall writers: give up this attempt.
            await session.RollbackQuietlyAsync().ConfigureAwait(false);
            Log.CutOverFailed(run.Logger, error.Message);
            return new CutOverAttempt(false, true, wait.ElapsedMilliseconds, error.Message);
        }
        catch (NpgsqlException error) when (committing && error is not PostgresException)
        {
            // The connection broke during COMMIT: the outcome is ambiguous until we look.
            return await ResolveAmbiguousCommitAsync(error, waitedMs, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error) when (PgErrors.IsDataError(error))
        {
            // The final drain met a row the new shape cannot hold: no retry can swap it in.
            await session.RollbackQuietlyAsync().ConfigureAwait(false);
            throw PgErrors.ConversionRefused(error);
        }
        catch (PostgresException error)
        {
            await session.RollbackQuietlyAsync().ConfigureAwait(false);
            Log.CutOverFailed(run.Logger, $"{error.MessageText} (SQLSTATE {error.SqlState})");
            return new CutOverAttempt(false, false, wait.ElapsedMilliseconds, $"{error.MessageText} (SQLSTATE {error.SqlState})");
        }
    }

    private async Task<CutOverAttempt> ResolveAmbiguousCommitAsync(NpgsqlException error, long waitedMs, CancellationToken cancellationToken)
    {
        var probe = await run.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var _ = probe.ConfigureAwait(false);
        var rows = await probe.QueryAsync(
            "SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
            [run.Table.Schema, run.Names.Old],
            cancellationToken).ConfigureAwait(false);
        var swapped = rows.Count == 1 && (uint)rows[0][0]! == run.Source!.Oid;
        if (run.Side is not null)
        {
            await run.Side.DisposeAsync().ConfigureAwait(false);
            run.Side = null;
        }

        Log.AmbiguousCommitResolved(run.Logger, swapped);
        return swapped
            ? new CutOverAttempt(true, false, waitedMs, null)
            : new CutOverAttempt(false, false, waitedMs, $"connection lost during COMMIT and the swap did not happen ({error.Message})");
    }

    private const string GrantsSql = """
        SELECT a.privilege_type,
               CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
               a.is_grantable
        FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
        WHERE c.oid = $1 AND a.grantee <> c.relowner
        ORDER BY 2 NULLS FIRST, 1
        """;

    /// <summary>The cut-over's statements, for the dry-run plan.</summary>
    public IEnumerable<PlannedStatement> Describe()
    {
        yield return new("cut-over (one transaction)", "LOCK TABLE " + D.Qualified(run.Table) + " IN ACCESS EXCLUSIVE MODE", false, "ACCESS EXCLUSIVE, lock_timeout bounded, retried with jitter");
        yield return new("cut-over (one transaction)", "-- apply the remaining change log (same statements as apply)", false);
        foreach (var (sql, _) in swap.Build(run.Shadow!, [], run.Source!.Owner, run.UserTriggers, _toValidate))
        {
            yield return new("cut-over (one transaction)", sql, false);
        }
    }

    public async Task AfterCutOverAsync(bool dropOldTable, CancellationToken cancellationToken)
    {
        run.Transcript.Step = "after cut-over";
        await run.CloseSideSessionsAsync().ConfigureAwait(false);
        var session = run.Main;
        // Resumed after a kill in this phase, the swap's list is gone: the catalog still marks what it left NOT VALID.
        var toValidate = run.FinishingSwap ? await UnvalidatedForeignKeysAsync(session, cancellationToken).ConfigureAwait(false) : _toValidate;
        foreach (var (table, constraint) in toValidate)
        {
            // VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on while it scans.
            await session.ExecuteAsync($"ALTER TABLE {table} VALIDATE CONSTRAINT {D.QuoteIdentifier(constraint)}", null, cancellationToken).ConfigureAwait(false);
        }

        if (run.FinishingSwap)
        {
            await PgObjects.DropAllAsync(session, run.Table, run.Names, run.Options.CutOverLockTimeout, 20, keepState: true, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await run.Capture.AfterSwapAsync(session, cancellationToken).ConfigureAwait(false);
        }

        if (dropOldTable)
        {
            await PgObjects.WithLockRetriesAsync(session, run.Options.CutOverLockTimeout, 20, $"DROP TABLE IF EXISTS {D.Qualified(run.Table.Schema, run.Names.Old)}", cancellationToken).ConfigureAwait(false);
        }

        // No ANALYZE here: the table is the shadow renamed, and statistics follow the relation, so the
        // full ANALYZE after the copy (FinishCopyAsync) already describes it; a second one read the
        // whole table again inside the run's wall time (ADR 0035). Autoanalyze covers later changes.
        // The checkpoint last: until every step above is done, a resume finishes them (it says the swap is done).
        await session.ExecuteAsync($"DROP TABLE IF EXISTS {D.Qualified(run.Table.Schema, run.Names.State)}", null, cancellationToken).ConfigureAwait(false);
    }

    private const string UnvalidatedForeignKeysSql = """
        SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), con.conname
        FROM pg_catalog.pg_constraint con
        JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE con.contype = 'f' AND NOT con.convalidated
          AND (SELECT t.oid FROM pg_catalog.pg_class t JOIN pg_catalog.pg_namespace tn ON tn.oid = t.relnamespace
               WHERE tn.nspname = $1 AND t.relname = $2) IN (con.conrelid, con.confrelid)
        ORDER BY 1, 2
        """;

    private async Task<List<(string Table, string Constraint)>> UnvalidatedForeignKeysAsync(PgSession session, CancellationToken cancellationToken) =>
        [.. (await session.QueryAsync(UnvalidatedForeignKeysSql, [run.Table.Schema, run.Table.Name], cancellationToken).ConfigureAwait(false))
            .Select(r => ((string)r[0]!, (string)r[1]!))];

    public static string RenameIndex(string schema, string from, string to) =>
        $"ALTER INDEX {D.Qualified(schema, from)} RENAME TO {D.QuoteIdentifier(to)}";
}
