using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.CutOver;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Preflight;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.State;

namespace ShadowCopy.MySql.Shadow;

/// <summary>
/// The shadow table: <c>CREATE TABLE … LIKE</c> plus the user's ALTER (rehearsed first on a
/// temporary table by the preflight), the mapping and statements built from it, the conversion
/// functions verification compares through, the carried AUTO_INCREMENT, and the secondary indexes
/// built after the copy (<see cref="MySqlDeferredIndexes"/>, ADR 0018).
/// </summary>
internal sealed class MySqlShadow(MySqlRun run)
{
    /// <summary>The temporary unique index over the old key while the copy runs on a widened key (see <see cref="MyMapping.KeyWidened"/>).</summary>
    internal const string KeyWhileCopying = "shadowcopy_old_key";

    private bool? _hasCrc32C;

    private TableName Table => run.Table;

    private HelperObjectNames Names => run.Names;

    private AlterOptions Options => run.Options;

    private MySqlStatements Sql => run.Statements;

    private MySqlSession Main => run.MainSession;

    public async Task AlterShadowAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Main.ExecuteAsync($"ALTER TABLE {MySqlStatements.Q(Table.Schema, Names.Shadow)} {run.Alter}", cancellationToken).ConfigureAwait(false);
        }
        catch (MySqlServerException error)
        {
            throw new PreflightRefusedException(RefusalReason.AlterRejected, $"The server rejected the ALTER on the shadow: {MySqlErrors.Describe(error)}. Nothing was changed.", error);
        }
    }

    public async Task PrepareStatementsAsync(CancellationToken cancellationToken)
    {
        var shadow = await MySqlInspector.ReadAsync(Main, Table.Schema, Names.Shadow, cancellationToken).ConfigureAwait(false);
        // Our temporary index over a widened key's old columns (resume) is not the user's.
        shadow = shadow with { Indexes = [.. shadow.Indexes.Where(i => !string.Equals(i.Name, KeyWhileCopying, StringComparison.OrdinalIgnoreCase))] };
        var mapping = run.Mapping = MyMapping.Build(run.Source!, shadow, MySqlAlterText.Renames(run.Alter!), MySqlAlterText.Recreated(run.Alter!));
        if (mapping.Key.Count == 0)
        {
            throw new PreflightRefusedException(
                RefusalReason.KeyNotMappable,
                $"After the ALTER the new table has no unique key that starts with the columns of {Table}'s key ({mapping.KeyIndex}); rows could not be matched between the tables. Keep the key, widen it by adding columns after the existing ones (PRIMARY KEY (id, other)), or change it in a separate run.");
        }

        MySqlPreflight.CheckKeyOrder(mapping, Table);
        var sql = run.Statements = new MySqlStatements(Table.Schema, Table.Name, Names, mapping, mapping.ShadowKeyIndex!);
        _hasCrc32C ??= await HasFunctionAsync("CRC32C('')", cancellationToken).ConfigureAwait(false);
        sql.HasCrc32C = _hasCrc32C.Value;
    }

    /// <summary>Whether the server evaluates a built-in function call (an unknown one is error 1305 or a syntax error).</summary>
    private async Task<bool> HasFunctionAsync(string call, CancellationToken cancellationToken)
    {
        try
        {
            await Main.QueryAsync("SELECT " + call, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (MySqlServerException)
        {
            return false;
        }
    }

    public async Task CreateShadowAsync(CancellationToken cancellationToken)
    {
        run.Transcript.Step = "create shadow";
        // The state table first: cleanup recognises the shadow as ours by it (MySqlObjects).
        await Main.ExecuteAsync(Sql.CreateLogTable(), cancellationToken).ConfigureAwait(false);
        // The original's definition the shadow is built from; --resume refuses if it changes.
        run.Fingerprint = await MySqlCheckpoint.FingerprintAsync(Main, Sql.Source, cancellationToken).ConfigureAwait(false);
        await Main.ExecuteAsync($"CREATE TABLE {Sql.Shadow} LIKE {Sql.Source}", cancellationToken).ConfigureAwait(false);
        await AlterShadowAsync(cancellationToken).ConfigureAwait(false);
        // Before a row is in it: the user's triggers compile on the new shape for their definer (ADR 0027).
        await MySqlUserTriggers.RehearseAsync(Main, await MySqlUserTriggers.ReadAsync(Main, Table.Schema, Table.Name, cancellationToken).ConfigureAwait(false), Table, Names.Shadow, cancellationToken).ConfigureAwait(false);
        await PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
        await CarryAutoIncrementAsync(Main, cancellationToken).ConfigureAwait(false);
        await CreateConversionsAsync(cancellationToken).ConfigureAwait(false);
        var mapping = run.Mapping!;
        if (mapping.KeyWidened)
        {
            // The new key is wider than the old: keep the old one unique while rows are copied, so
            // INSERT IGNORE still keeps the applier's newer row of a key (dropped after the copy).
            await Main.ExecuteAsync($"ALTER TABLE {Sql.Shadow} ADD UNIQUE INDEX {MySqlStatements.Q(KeyWhileCopying)} ({string.Join(", ", mapping.Key.Select(k => MySqlStatements.Q(k.ShadowName)))})", cancellationToken).ConfigureAwait(false);
        }

        run.DeferredIndexes = await MySqlDeferredIndexes.ReadAsync(Main, Sql.Shadow, cancellationToken).ConfigureAwait(false);
        if (run.DeferredIndexes.Count > 0)
        {
            // The shadow is empty and nobody else uses it yet: instant.
            await Main.ExecuteAsync(MySqlDeferredIndexes.Drop(Sql.Shadow, run.DeferredIndexes), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One function per column whose type the ALTER changes, so verification compares the
    /// original's value converted by the server (MySqlStatements.Conversions). A server that refuses
    /// them (no CREATE ROUTINE, or binary logging without SUPER or log_bin_trust_function_creators)
    /// leaves verification comparing text, which may report differences that are none but never
    /// misses one; the run says so.
    /// </summary>
    public async Task CreateConversionsAsync(CancellationToken cancellationToken)
    {
        var conversions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (index, map) in Sql.ChangedColumns())
        {
            var name = MySqlStatements.Q(Table.Schema, MySqlStatements.ConversionName(Table.Name, index));
            try
            {
                await Main.ExecuteAsync($"DROP FUNCTION IF EXISTS {name}", cancellationToken).ConfigureAwait(false);
                await Main.ExecuteAsync(Sql.CreateConversion(name, map), cancellationToken).ConfigureAwait(false);
                conversions[map.ShadowName] = name;
            }
            catch (MySqlServerException error)
            {
                Log.ConversionsUnavailable(run.Logger, error.Message);
                conversions.Clear();
                break;
            }
        }

        Sql.Conversions = conversions;
    }

    /// <summary>
    /// CREATE TABLE … LIKE starts the counter at 1; explicit ids raise it only to max(id)+1, so
    /// ids of rows deleted at the tail could be handed out again. Carry the original's counter —
    /// unless the ALTER sets AUTO_INCREMENT itself: then, as with the server's own ALTER, the user's
    /// value stands (raised to max(id)+1 by the rows copied).
    /// </summary>
    public async Task CarryAutoIncrementAsync(MySqlSession session, CancellationToken cancellationToken)
    {
        if (MySqlAlterText.SetsAutoIncrement(Options.Alter))
        {
            return;
        }

        var next = await session.ScalarInt64Async(
            $"SELECT COALESCE(AUTO_INCREMENT, 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {session.Literal(Table.Schema)} AND BINARY TABLE_NAME = {session.Literal(Table.Name)}",
            cancellationToken).ConfigureAwait(false);
        if (next > 1)
        {
            await session.ExecuteAsync($"ALTER TABLE {Sql.Shadow} AUTO_INCREMENT = {next}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Builds the plain secondary indexes dropped from the empty shadow (<see cref="MySqlDeferredIndexes"/>),
    /// all in one online ALTER; idempotent for --resume (an index already there is not added again).
    /// In trigger mode writers also write the shadow, so the ALTER's metadata lock is bounded and retried.
    /// </summary>
    public async Task FinishCopyAsync(CancellationToken cancellationToken)
    {
        run.Transcript.Step = "finish copy";
        if (run.Mapping!.KeyWidened)
        {
            var shadow = await MySqlInspector.ReadAsync(Main, Table.Schema, Names.Shadow, cancellationToken).ConfigureAwait(false);
            if (shadow.Indexes.Any(i => string.Equals(i.Name, KeyWhileCopying, StringComparison.OrdinalIgnoreCase)))
            {
                // Nothing inserts without deleting the key first any more (applier, re-copies).
                await MySqlObjects.WithLockRetriesAsync(Main, Options.CutOverLockTimeout, Options.CutOverAttempts, $"ALTER TABLE {Sql.Shadow} DROP INDEX {MySqlStatements.Q(KeyWhileCopying)}", cancellationToken).ConfigureAwait(false);
            }
        }

        if (run.DeferredIndexes.Count == 0)
        {
            return;
        }

        var present = (await MySqlDeferredIndexes.ReadAsync(Main, Sql.Shadow, cancellationToken).ConfigureAwait(false)).Select(i => i.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = run.DeferredIndexes.Where(i => !present.Contains(i.Name)).ToList();
        if (missing.Count > 0)
        {
            await MySqlObjects.WithLockRetriesAsync(Main, Options.CutOverLockTimeout, Options.CutOverAttempts, MySqlDeferredIndexes.Add(Sql.Shadow, missing), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>alter --via: another tool created and filled <see cref="HelperObjectNames.Shadow"/>; map it for verification and cut-over.</summary>
    public async Task AdoptShadowAsync(CancellationToken cancellationToken)
    {
        run.Transcript.Step = "adopt the tool's new table";
        await run.EnsureMainAsync(cancellationToken).ConfigureAwait(false);
        await PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
        await CreateConversionsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The dry run's line for the indexes built after the copy (none: empty).</summary>
    public IEnumerable<PlannedStatement> Describe()
    {
        if (run.DeferredIndexes.Count > 0)
        {
            yield return new("finish copy (indexes built after the copy)", MySqlDeferredIndexes.Add(Sql.Shadow, run.DeferredIndexes), false, $"metadata lock on the shadow, lock_wait_timeout {Options.CutOverLockTimeout.TotalSeconds:0} s, retried");
        }
    }
}
