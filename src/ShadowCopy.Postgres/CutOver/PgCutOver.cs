using System.Diagnostics;
using Npgsql;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Verification;
using ShadowCopy.Postgres.Capture;
using ShadowCopy.Postgres.CutOver;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Shadow;
using ShadowCopy.Postgres.Verify;

namespace ShadowCopy.Postgres;

/// <summary>
/// The swap, in one transaction: ACCESS EXCLUSIVE on the original with a bounded lock_timeout,
/// drain the change log, drop the trigger, rename original → _t_old and shadow → t, give the
/// original names back to indexes, constraints and identity sequences, move serial ownership and
/// sequence positions, carry owner, grants, replica identity and comment, and re-create foreign
/// keys NOT VALID (validated after commit, without blocking writes). Either all of it commits or
/// none of it does; a lock timeout leaves the original serving.
/// </summary>
internal static class PgCutOver
{
    private static readonly PgDialect D = PgDialect.Instance;

    public static IEnumerable<PlannedStatement> Describe(PgAlterBackend backend)
    {
        yield return new("cut-over (one transaction)", "LOCK TABLE " + D.Qualified(backend.TableName) + " IN ACCESS EXCLUSIVE MODE", false, "ACCESS EXCLUSIVE, lock_timeout bounded, retried with jitter");
        yield return new("cut-over (one transaction)", "-- apply the remaining change log (same statements as apply)", false);
        foreach (var statement in backend.SwapStatementsForPlan())
        {
            yield return new("cut-over (one transaction)", statement, false);
        }
    }

    public static string RenameIndex(string schema, string from, string to) =>
        $"ALTER INDEX {D.Qualified(schema, from)} RENAME TO {D.QuoteIdentifier(to)}";
}

/// <content>Cut-over and after-cut-over work of <see cref="PgAlterBackend"/>.</content>
public sealed partial class PgAlterBackend
{
    private readonly List<(string Table, string Constraint)> _toValidate = [];
    private long _lockHeldMs;

    /// <summary>How long the successful cut-over held ACCESS EXCLUSIVE (drain and swap), in ms.</summary>
    public long LockHeldMs => _lockHeldMs;

    internal TableName TableName => Table;

    public async Task<CutOverAttempt> TryCutOverAsync(TimeSpan lockTimeout, CutOverVerification verification, CancellationToken cancellationToken)
    {
        _transcript.Step = "cut-over";
        _side ??= await OpenAsync(cancellationToken).ConfigureAwait(false);
        var session = _side;
        // Read what the swap needs before taking the lock, to keep the lock short.
        var quiet = _transcript.Pause();
        var shadow = await PgInspector.ReadAsync(session, new TableName(Table.Schema, Names.Shadow), cancellationToken).ConfigureAwait(false)
            ?? throw new ShadowCopyException("The shadow table disappeared before cut-over.", ExitCodes.CutOverFailed);
        var grants = await session.QueryAsync(GrantsSql, [_source!.Oid], cancellationToken).ConfigureAwait(false);
        var currentUser = await session.ScalarAsync<string>("SELECT current_user", null, cancellationToken).ConfigureAwait(false);
        quiet.Dispose();

        // Let the change stream catch up before locking (for logical capture the decoder may still
        // be working through the WAL the copy wrote); the fence under the lock then covers seconds,
        // not the whole copy, and writers wait only for that.
        await Capture.FenceAsync(session, Main, applyInOwnTransaction: true, _captureOptions.CatchUpFenceTimeout, cancellationToken).ConfigureAwait(false);
        while (await Capture.ApplyAsync(Main, _options.ApplyBatchSize, ownTransaction: true, cancellationToken).ConfigureAwait(false) > 0)
        {
        }

        // The swap renames the shadow too (ACCESS EXCLUSIVE): an autoanalyze of the freshly filled shadow would hold writers as well.
        await ClearAutovacuumAsync(session, shadow.Oid, cancellationToken).ConfigureAwait(false);
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
            await session.ExecuteAsync($"LOCK TABLE {Sql.Source} IN ACCESS EXCLUSIVE MODE", null, cancellationToken).ConfigureAwait(false);
            waitedMs = wait.ElapsedMilliseconds;
            await Capture.FenceAsync(session, session, applyInOwnTransaction: false, _captureOptions.FenceTimeout, cancellationToken).ConfigureAwait(false);
            while (await Capture.ApplyAsync(session, 100_000, ownTransaction: false, cancellationToken).ConfigureAwait(false) > 0)
            {
            }

            // Nothing else can write either table now: every row changed since its last verification
            // (the drain's included) is compared before the swap, as far as the lock budget allows (ADR 0019).
            if (verification.KeysWithinBudget() is not { } keys)
            {
                await session.RollbackQuietlyAsync().ConfigureAwait(false);
                return CutOverAttempt.TooManyToVerify(wait.ElapsedMilliseconds, verification.Pending, verification.Budget);
            }

            var compared = await PgKeyVerifier.CompareAsync(Sql, session, session, keys, excludePending: false, cancellationToken).ConfigureAwait(false);
            verified = (keys, compared);
            if (compared.Mismatched.Count > 0)
            {
                await session.RollbackQuietlyAsync().ConfigureAwait(false);
                return new CutOverAttempt(false, false, wait.ElapsedMilliseconds, $"{compared.Mismatched.Count} changed row(s) differ from the original") { Verified = verified };
            }

            // Read under the lock: exactly the triggers the original has at the swap (ADR 0027).
            var triggers = await PgUserTriggers.ReadAsync(session, _source!.Oid, Names.Trigger, cancellationToken).ConfigureAwait(false);
            foreach (var statement in SwapStatements(shadow, grants, currentUser!, triggers))
            {
                await session.ExecuteAsync(statement.Sql, statement.Args, cancellationToken).ConfigureAwait(false);
            }

            committing = true;
            await session.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            _lockHeldMs = wait.ElapsedMilliseconds - waitedMs;
            Log.Swapped(_logger, Table, _lockHeldMs);
            return new CutOverAttempt(true, false, waitedMs, null) { Verified = verified };
        }
        catch (PostgresException error) when (PgErrors.IsLockTimeout(error))
        {
            await session.RollbackQuietlyAsync().ConfigureAwait(false);
            Log.CutOverFailed(_logger, error.MessageText);
            return new CutOverAttempt(false, true, wait.ElapsedMilliseconds, error.MessageText);
        }
        catch (PgFenceTimeoutException error)
        {
            // Holding the lock while the stream lags would stall writers: give up this attempt.
            await session.RollbackQuietlyAsync().ConfigureAwait(false);
            Log.CutOverFailed(_logger, error.Message);
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
            Log.CutOverFailed(_logger, $"{error.MessageText} (SQLSTATE {error.SqlState})");
            return new CutOverAttempt(false, false, wait.ElapsedMilliseconds, $"{error.MessageText} (SQLSTATE {error.SqlState})");
        }
    }

    private async Task<CutOverAttempt> ResolveAmbiguousCommitAsync(NpgsqlException error, long waitedMs, CancellationToken cancellationToken)
    {
        var probe = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var _ = probe.ConfigureAwait(false);
        var rows = await probe.QueryAsync(
            "SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
            [Table.Schema, Names.Old],
            cancellationToken).ConfigureAwait(false);
        var swapped = rows.Count == 1 && (uint)rows[0][0]! == _source!.Oid;
        if (_side is not null)
        {
            await _side.DisposeAsync().ConfigureAwait(false);
            _side = null;
        }

        Log.AmbiguousCommitResolved(_logger, swapped);
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

    internal IEnumerable<string> SwapStatementsForPlan() =>
        SwapStatements(_shadow!, [], _source!.Owner, _userTriggers).Select(s => s.Sql);

    /// <summary>The swap's statements in order; run inside the cut-over transaction after the drain.</summary>
    private List<(string Sql, IReadOnlyList<object?>? Args)> SwapStatements(PgTable shadow, IReadOnlyList<object?[]> grants, string currentUser, IReadOnlyList<PgUserTrigger> triggers)
    {
        var source = _source!;
        var mapping = _mapping!;
        var schema = Table.Schema;
        var newTable = D.Qualified(Table);
        var list = new List<(string, IReadOnlyList<object?>?)>();
        void Add(string sql, IReadOnlyList<object?>? args = null) => list.Add((sql, args));

        foreach (var statement in Capture.CutOverStatements())
        {
            Add(statement);
        }

        Add($"ALTER TABLE {Sql.Source} RENAME TO {D.QuoteIdentifier(Names.Old)}");
        Add($"ALTER TABLE {Sql.Shadow} RENAME TO {D.QuoteIdentifier(Table.Name)}");

        // Index (and index-backed constraint) names: free the original names, then take them.
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var index in source.Indexes)
        {
            Add(PgCutOver.RenameIndex(schema, index.Name, HelperObjectNames.Derive(index.Name, "old", D.MaxIdentifierBytes)));
        }

        foreach (var index in shadow.Indexes)
        {
            var original = _indexTempNames.FirstOrDefault(p => p.Value == index.Name).Key;
            if (original is not null)
            {
                Add(PgCutOver.RenameIndex(schema, index.Name, original));
                taken.Add(original);
            }
            else if (index.Name.StartsWith(Names.Shadow + "_", StringComparison.Ordinal))
            {
                // An index the ALTER added got a name derived from the shadow's; give it the one
                // it would have had on the original, when that is free.
                var wanted = Table.Name + index.Name[Names.Shadow.Length..];
                if (System.Text.Encoding.UTF8.GetByteCount(wanted) <= D.MaxIdentifierBytes && taken.Add(wanted)
                    && !source.Indexes.Any(i => i.Name == wanted))
                {
                    Add(PgCutOver.RenameIndex(schema, index.Name, wanted));
                }
            }
        }

        // Sequences: serial ones are shared (the shadow's default calls the same nextval) and only
        // change owner; identity ones get the original's position and name.
        foreach (var link in source.Sequences)
        {
            var column = source.Columns.First(c => c.AttNum == link.AttNum);
            var target = mapping.Copied.FirstOrDefault(c => c.SourceName == column.Name);
            if (link.DependencyType == "a")
            {
                if (target is not null)
                {
                    Add($"ALTER SEQUENCE {D.Qualified(link.Schema, link.Name)} OWNED BY {newTable}.{D.QuoteIdentifier(target.ShadowName)}");
                }

                continue;
            }

            var shadowColumn = target is null ? null : shadow.Columns.FirstOrDefault(c => c.Name == target.ShadowName);
            var shadowSequence = shadowColumn is null ? null : shadow.Sequences.FirstOrDefault(s => s.AttNum == shadowColumn.AttNum && s.DependencyType == "i");
            if (shadowSequence is null)
            {
                continue;
            }

            var sourceSequence = D.Qualified(link.Schema, link.Name);
            var newSequence = D.Qualified(shadowSequence.Schema, shadowSequence.Name);
            Add($"SELECT pg_catalog.setval({D.QuoteLiteral(newSequence)}::regclass, s.last_value, s.is_called) FROM {sourceSequence} s");
            Add($"ALTER SEQUENCE {sourceSequence} RENAME TO {D.QuoteIdentifier(HelperObjectNames.Derive(link.Name, "old", D.MaxIdentifierBytes))}");
            Add($"ALTER SEQUENCE {newSequence} RENAME TO {D.QuoteIdentifier(link.Name)}");
        }

        if (source.Owner != currentUser)
        {
            Add($"ALTER TABLE {newTable} OWNER TO {D.QuoteIdentifier(source.Owner)}");
        }

        foreach (var grant in grants)
        {
            var grantee = grant[1] is string role ? D.QuoteIdentifier(role) : "PUBLIC";
            var option = (bool)grant[2]! ? " WITH GRANT OPTION" : string.Empty;
            Add($"GRANT {(string)grant[0]!} ON TABLE {newTable} TO {grantee}{option}");
        }

        switch (source.ReplicaIdentity)
        {
            case "f":
                Add($"ALTER TABLE {newTable} REPLICA IDENTITY FULL");
                break;
            case "n":
                Add($"ALTER TABLE {newTable} REPLICA IDENTITY NOTHING");
                break;
            case "i" when source.Indexes.FirstOrDefault(i => i.IsReplicaIdentity) is { } identity && taken.Contains(identity.Name):
                Add($"ALTER TABLE {newTable} REPLICA IDENTITY USING INDEX {D.QuoteIdentifier(identity.Name)}");
                break;
        }

        Add($"COMMENT ON TABLE {newTable} IS {(source.Comment is null ? "NULL" : D.QuoteLiteral(source.Comment))}");
        if (_stateTableReady)
        {
            // Committed with the swap or not at all: a resume after a kill in the cleanup knows the change is live.
            Add($"UPDATE {D.Qualified(Table.Schema, Names.State)} SET phase = {D.QuoteLiteral(nameof(Phase.CleaningUp))}, updated_at = pg_catalog.clock_timestamp() WHERE id = 1");
        }

        // The user's triggers: their definitions name the original, which is the new table now.
        foreach (var statement in PgUserTriggers.SwapStatements(triggers, newTable, D.Qualified(schema, Names.Old)))
        {
            Add(statement);
        }

        if (_options.Revertible)
        {
            // The old table is kept in step from the first write that reaches the new one (ADR 0031).
            list.AddRange(Revert.PgReverseCapture.SwapStatements(Table, source, mapping, _captureOptions.IsLogical ? "logical" : "trigger", _alter!).Select(s => (s, (IReadOnlyList<object?>?)null)));
        }

        _toValidate.Clear();
        foreach (var fk in source.OutgoingForeignKeys)
        {
            var childColumns = MapColumns(fk.ChildColumns);
            if (childColumns is null)
            {
                _warnings.Add($"foreign key {fk.Name} was not re-created: the ALTER dropped one of its columns");
                continue;
            }

            var selfReference = fk.ParentSchema == Table.Schema && fk.ParentTable == Table.Name;
            var parentColumns = selfReference ? MapColumns(fk.ParentColumns) : fk.ParentColumns;
            if (parentColumns is null)
            {
                continue;
            }

            var parent = selfReference ? newTable : D.Qualified(fk.ParentSchema, fk.ParentTable);
            Add($"ALTER TABLE {newTable} ADD CONSTRAINT {D.QuoteIdentifier(fk.Name)} FOREIGN KEY ({Join(childColumns)}) REFERENCES {parent} ({Join(parentColumns)}){fk.Tail} NOT VALID");
            _toValidate.Add((newTable, fk.Name));
        }

        foreach (var fk in source.IncomingForeignKeys)
        {
            var parentColumns = MapColumns(fk.ParentColumns)
                ?? throw new ShadowCopyException($"Foreign key {fk.ChildSchema}.{fk.ChildTable}.{fk.Name} references a column the ALTER drops.", ExitCodes.CutOverFailed);
            var child = D.Qualified(fk.ChildSchema, fk.ChildTable);
            Add($"ALTER TABLE {child} DROP CONSTRAINT {D.QuoteIdentifier(fk.Name)}");
            Add($"ALTER TABLE {child} ADD CONSTRAINT {D.QuoteIdentifier(fk.Name)} FOREIGN KEY ({Join(fk.ChildColumns)}) REFERENCES {newTable} ({Join(parentColumns)}){fk.Tail} NOT VALID");
            _toValidate.Add((child, fk.Name));
        }

        return list;
    }

    private List<string>? MapColumns(IReadOnlyList<string> sourceColumns)
    {
        var result = new List<string>();
        foreach (var name in sourceColumns)
        {
            var map = _mapping!.Copied.FirstOrDefault(c => c.SourceName == name);
            if (map is null)
            {
                return null;
            }

            result.Add(map.ShadowName);
        }

        return result;
    }

    private static string Join(IEnumerable<string> columns) => string.Join(", ", columns.Select(D.QuoteIdentifier));

    public async Task AfterCutOverAsync(bool dropOldTable, CancellationToken cancellationToken)
    {
        _transcript.Step = "after cut-over";
        await CloseSideSessionsAsync().ConfigureAwait(false);
        var session = Main;
        // Resumed after a kill in this phase, the swap's list is gone: the catalog still marks what it left NOT VALID.
        var toValidate = _finishingSwap ? await UnvalidatedForeignKeysAsync(session, cancellationToken).ConfigureAwait(false) : _toValidate;
        foreach (var (table, constraint) in toValidate)
        {
            // VALIDATE takes SHARE UPDATE EXCLUSIVE: reads and writes go on while it scans.
            await session.ExecuteAsync($"ALTER TABLE {table} VALIDATE CONSTRAINT {D.QuoteIdentifier(constraint)}", null, cancellationToken).ConfigureAwait(false);
        }

        if (_finishingSwap)
        {
            await PgObjects.DropAllAsync(session, Table, Names, _options.CutOverLockTimeout, 20, keepState: true, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Capture.AfterSwapAsync(session, cancellationToken).ConfigureAwait(false);
        }

        if (dropOldTable)
        {
            await PgObjects.WithLockRetriesAsync(session, _options.CutOverLockTimeout, 20, $"DROP TABLE IF EXISTS {D.Qualified(Table.Schema, Names.Old)}", cancellationToken).ConfigureAwait(false);
        }

        // No ANALYZE here: the table is the shadow renamed, and statistics follow the relation, so the
        // full ANALYZE after the copy (FinishCopyAsync) already describes it; a second one read the
        // whole table again inside the run's wall time (ADR 0035). Autoanalyze covers later changes.
        // The checkpoint last: until every step above is done, a resume finishes them (it says the swap is done).
        await session.ExecuteAsync($"DROP TABLE IF EXISTS {D.Qualified(Table.Schema, Names.State)}", null, cancellationToken).ConfigureAwait(false);
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
        [.. (await session.QueryAsync(UnvalidatedForeignKeysSql, [Table.Schema, Table.Name], cancellationToken).ConfigureAwait(false))
            .Select(r => ((string)r[0]!, (string)r[1]!))];
}
