using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres.Capture;
using ShadowCopy.Postgres.Capture.Logical;

namespace ShadowCopy.Postgres.Shadow;

/// <summary>
/// Finds and removes the helper objects of a run. Every object we create carries a comment that
/// starts with <see cref="Marker"/>; cleanup drops only objects that carry it, so it can never
/// remove a user's table that happens to share a name.
/// </summary>
internal static class PgObjects
{
    public const string Marker = "shadowcopy:";

    internal const string RelationSql = """
        SELECT c.relname, coalesce(pg_catalog.obj_description(c.oid, 'pg_class'), '')
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = ANY($2)
        """;

    internal const string FunctionSql = """
        SELECT coalesce(pg_catalog.obj_description(p.oid, 'pg_proc'), '')
        FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = $1 AND p.proname = $2
        """;

    internal const string TriggerSql = """
        SELECT 1 FROM pg_catalog.pg_trigger t
        JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2 AND t.tgname = $3
        """;

    internal const string SlotSql = "SELECT 1 FROM pg_catalog.pg_replication_slots WHERE slot_name = $1";

    internal const string PublicationSql = """
        SELECT coalesce(pg_catalog.obj_description(p.oid, 'pg_publication'), '') FROM pg_catalog.pg_publication p WHERE p.pubname = $1
        """;

    public static string Comment(string role, TableName table) => $"{Marker}{role} of {table}; remove with shadowcopy cleanup";

    /// <summary>
    /// Refuses when an earlier run left objects behind or our names are taken. With
    /// <paramref name="resuming"/> our own leftovers are what the run continues from: only foreign
    /// objects and a taken old-table name refuse (the resume checks the rest).
    /// </summary>
    public static async Task CheckNoLeftoversAsync(PgSession session, TableName table, HelperObjectNames names, bool resuming, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        var foreign = new List<string>();
        var relations = await session.QueryAsync(RelationSql, [table.Schema, new[] { names.Shadow, names.ChangeLog, names.State, names.Old }], cancellationToken).ConfigureAwait(false);
        foreach (var row in relations)
        {
            var name = (string)row[0]!;
            var comment = (string)row[1]!;
            if (name == names.Old)
            {
                throw new PreflightRefusedException(
                    RefusalReason.NameConflict,
                    $"{table.Schema}.{names.Old} exists (the table kept by an earlier run, or a table of yours). Drop or rename it; the cut-over needs that name.");
            }

            (comment.StartsWith(Marker, StringComparison.Ordinal) ? found : foreign).Add($"table {table.Schema}.{name}");
        }

        foreach (var row in await session.QueryAsync(FunctionSql, [table.Schema, names.Function], cancellationToken).ConfigureAwait(false))
        {
            ((string)row[0]!).StartsWith(Marker, StringComparison.Ordinal).Then(found, foreign).Add($"function {table.Schema}.{names.Function}()");
        }

        if ((await session.QueryAsync(TriggerSql, [table.Schema, table.Name, names.Trigger], cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            found.Add($"trigger {names.Trigger} on {table}");
        }

        var slot = PgLogicalNames.Slot(table);
        if ((await session.QueryAsync(SlotSql, [slot], cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            found.Add($"replication slot {slot}");
        }

        foreach (var row in await session.QueryAsync(PublicationSql, [PgLogicalNames.Publication(table)], cancellationToken).ConfigureAwait(false))
        {
            ((string)row[0]!).StartsWith(Marker, StringComparison.Ordinal).Then(found, foreign).Add($"publication {PgLogicalNames.Publication(table)}");
        }

        if (foreign.Count > 0)
        {
            throw new PreflightRefusedException(
                RefusalReason.NameConflict,
                $"Objects not created by shadowcopy use the names this run needs: {string.Join(", ", foreign)}. Rename them and run again.");
        }

        if (found.Count > 0 && !resuming)
        {
            throw new PreflightRefusedException(
                RefusalReason.Leftovers,
                $"An earlier run left {string.Join(", ", found)}. If no other run is active on {table}, either continue it from its checkpoint: the same shadowcopy alter command with --execute --resume, or remove them with: shadowcopy cleanup --dsn … --table {table}");
        }
    }

    /// <summary>
    /// Drops the trigger (bounded lock wait, retried), the function, the change log and the
    /// shadow — each only if it is ours. Returns what was dropped.
    /// </summary>
    public static async Task<IReadOnlyList<string>> DropAllAsync(PgSession session, TableName table, HelperObjectNames names, TimeSpan lockTimeout, int attempts, bool keepState, CancellationToken cancellationToken)
    {
        var d = PgDialect.Instance;
        var dropped = new List<string>();
        if ((await session.QueryAsync(TriggerSql, [table.Schema, table.Name, names.Trigger], cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            // DROP TRIGGER takes ACCESS EXCLUSIVE on the table: bounded wait, retried.
            await WithLockRetriesAsync(
                session,
                lockTimeout,
                attempts,
                $"DROP TRIGGER IF EXISTS {d.QuoteIdentifier(names.Trigger)} ON {d.Qualified(table)}",
                cancellationToken).ConfigureAwait(false);
            dropped.Add($"trigger {names.Trigger}");
        }

        foreach (var row in await session.QueryAsync(FunctionSql, [table.Schema, names.Function], cancellationToken).ConfigureAwait(false))
        {
            if (((string)row[0]!).StartsWith(Marker, StringComparison.Ordinal))
            {
                await session.ExecuteAsync($"DROP FUNCTION IF EXISTS {d.Qualified(table.Schema, names.Function)}()", null, cancellationToken).ConfigureAwait(false);
                dropped.Add($"function {names.Function}()");
            }
        }

        var slot = PgLogicalNames.Slot(table);
        if (await PgLogicalNames.DropSlotAsync(session, slot, cancellationToken).ConfigureAwait(false))
        {
            dropped.Add($"replication slot {slot}");
        }

        var publication = PgLogicalNames.Publication(table);
        foreach (var row in await session.QueryAsync(PublicationSql, [publication], cancellationToken).ConfigureAwait(false))
        {
            if (((string)row[0]!).StartsWith(Marker, StringComparison.Ordinal))
            {
                await session.ExecuteAsync($"DROP PUBLICATION IF EXISTS {d.QuoteIdentifier(publication)}", null, cancellationToken).ConfigureAwait(false);
                dropped.Add($"publication {publication}");
            }
        }

        var relations = await session.QueryAsync(RelationSql, [table.Schema, keepState ? new[] { names.ChangeLog, names.Shadow } : new[] { names.ChangeLog, names.State, names.Shadow }], cancellationToken).ConfigureAwait(false);
        foreach (var row in relations)
        {
            if (((string)row[1]!).StartsWith(Marker, StringComparison.Ordinal))
            {
                var name = (string)row[0]!;
                await session.ExecuteAsync($"DROP TABLE IF EXISTS {d.Qualified(table.Schema, name)}", null, cancellationToken).ConfigureAwait(false);
                dropped.Add($"table {name}");
            }
        }

        return dropped;
    }

    /// <summary>Runs one DDL statement in its own transaction with lock_timeout, retrying lock timeouts with jitter.</summary>
    public static async Task<TimeSpan> WithLockRetriesAsync(PgSession session, TimeSpan lockTimeout, int attempts, string sql, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await session.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync(LockTimeout(lockTimeout), null, cancellationToken).ConfigureAwait(false);
                var waited = await session.TimedExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
                return waited;
            }
            catch (Exception error) when (PgErrors.IsLockTimeout(error) && attempt < attempts)
            {
                await session.RollbackQuietlyAsync().ConfigureAwait(false);
                var delay = Backoff.Jittered(attempt, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await session.RollbackQuietlyAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    public static string LockTimeout(TimeSpan timeout) =>
        $"SET LOCAL lock_timeout = '{Math.Max(1, (long)timeout.TotalMilliseconds)}ms'";

    private static List<string> Then(this bool condition, List<string> whenTrue, List<string> whenFalse) => condition ? whenTrue : whenFalse;
}
