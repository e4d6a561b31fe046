using System.Text.RegularExpressions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.CutOver;

/// <summary>One of the user's triggers, as information_schema.TRIGGERS states it (ADR 0027).</summary>
internal sealed record MySqlUserTrigger(string Name, string Timing, string Event, long Order, string Body, string Definer, string SqlMode, string Collation);

/// <summary>
/// The user's triggers follow the table through the swap (ADR 0027). Trigger names are unique per
/// schema and RENAME TABLE takes a table's triggers with it, so the shadow cannot hold them while the
/// original does, and must not hold them while rows are copied or changes applied (their side effects
/// already happened on the original). The cut-over moves them while session A holds LOCK TABLES t
/// WRITE and every writer waits: A drops them from t, the applier session creates them on the
/// shadow, and the RENAME then puts the shadow under t's name before any writer runs. Every failure
/// before the swap moves them back while A still holds the lock; a tool killed in between leaves t
/// guarded (<see cref="MySqlCutOverGuards"/>: writes refused) and the triggers on the shadow, from where
/// cleanup and --resume move them back and lift the guards (<see cref="RestoreFromShadowAsync"/>).
/// </summary>
internal static class MySqlUserTriggers
{
    private const string Columns = "TRIGGER_NAME, ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER, ACTION_STATEMENT, DEFINER, SQL_MODE, COLLATION_CONNECTION";

    /// <summary>The user's triggers on <paramref name="table"/> in firing order per event; ours (marker in the body) left out.</summary>
    public static async Task<IReadOnlyList<MySqlUserTrigger>> ReadAsync(MySqlSession session, string schema, string table, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(
            $"SELECT {Columns} FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = {session.Literal(schema)} AND BINARY EVENT_OBJECT_TABLE = {session.Literal(table)} ORDER BY EVENT_MANIPULATION, ACTION_TIMING, ACTION_ORDER",
            cancellationToken).ConfigureAwait(false);
        return rows.Rows
            .Select(r => new MySqlUserTrigger(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7)))
            .Where(t => !t.Body.Contains(MySqlStatements.Marker, StringComparison.Ordinal))
            .ToList();
    }

    /// <summary>The CREATE TRIGGER for <paramref name="table"/>; same definer, timing, event and body (order: create them in order).</summary>
    public static string Create(MySqlUserTrigger trigger, string schema, string table, string? name = null) =>
        $"CREATE DEFINER={Definer(trigger.Definer)} TRIGGER {MySqlStatements.Q(schema, name ?? trigger.Name)} {trigger.Timing} {trigger.Event} ON {MySqlStatements.Q(schema, table)} FOR EACH ROW {trigger.Body}";

    private static string Definer(string definer)
    {
        var at = definer.LastIndexOf('@');
        return at < 0
            ? MySqlStatements.Q(definer)
            : $"{MySqlEscaping.QuoteString(definer[..at], false)}@{MySqlEscaping.QuoteString(definer[(at + 1)..], false)}";
    }

    /// <summary>Creates the trigger under the sql_mode and collation it was created with (they change how its body parses).</summary>
    public static async Task CreateAsync(MySqlSession session, MySqlUserTrigger trigger, string schema, string table, string? name, CancellationToken cancellationToken)
    {
        await session.ExecuteAsync(
            $"SET @shadowcopy_sql_mode = @@SESSION.sql_mode, @shadowcopy_collation = @@SESSION.collation_connection, SESSION sql_mode = {session.Literal(trigger.SqlMode)}, SESSION collation_connection = {session.Literal(trigger.Collation)}",
            cancellationToken).ConfigureAwait(false);
        try
        {
            await session.ExecuteAsync(Create(trigger, schema, table, name), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await session.ExecuteAsync("SET SESSION sql_mode = @shadowcopy_sql_mode, SESSION collation_connection = @shadowcopy_collation", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Name of the i-th rehearsal trigger on the shadow (created and dropped at once; never moved).</summary>
    public static string RehearsalName(string table, int index) => HelperObjectNames.Derive(table, $"rt{index}", 64);

    /// <summary>
    /// Read-only refusals: a server without ordered, multiple triggers per event (MariaDB before
    /// 10.2.3, MySQL before 5.7.2), and a user trigger that uses a name a helper trigger of this run
    /// needs (names are schema-wide); under alter --via, any trigger (the other tool's swap would not carry it).
    /// </summary>
    public static async Task CheckAsync(MySqlSession session, TableName table, bool triggerCapture, bool carried, CancellationToken cancellationToken)
    {
        var triggers = await ReadAsync(session, table.Schema, table.Name, cancellationToken).ConfigureAwait(false);
        var ours = (triggerCapture ? MySqlObjects.TriggerNames(table.Name) : []).ToList();
        if (triggers.Count > 0 && !carried)
        {
            // alter --via: the other tool's plain RENAME would leave them on the old table.
            throw new PreflightRefusedException(
                RefusalReason.UnsupportedTable,
                $"{table} has triggers ({string.Join(", ", triggers.Select(t => t.Name))}); with --via the other tool's swap would leave them on the old table. Run without --via (shadowcopy carries them), or drop them, run the ALTER, and create them again. Nothing was changed.");
        }

        if (triggers.Count > 0)
        {
            if (!SupportsOrderedTriggers(session.ServerVersion, session.IsMariaDb))
            {
                throw new PreflightRefusedException(
                    RefusalReason.UnsupportedTable,
                    $"{table} has triggers ({string.Join(", ", triggers.Select(t => t.Name))}); carrying them to the new table needs several triggers per event in a fixed order (MariaDB 10.2.3+, MySQL 5.7.2+), and this server is {session.ServerVersion}. Drop them, run the ALTER, and create them again on the new table. Nothing was changed.");
            }

            ours.AddRange(triggers.Select((_, i) => RehearsalName(table.Name, i)));
            ours.AddRange(MySqlCutOverGuards.Names(table.Name));
        }

        if (ours.Count == 0)
        {
            return;
        }

        var taken = await session.QueryAsync(
            $"SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {session.Literal(table.Schema)} AND BINARY TRIGGER_NAME IN ({string.Join(", ", ours.Select(session.Literal))})",
            cancellationToken).ConfigureAwait(false);
        if (taken.Rows.FirstOrDefault(r => !r.GetString(2).Contains(MySqlStatements.Marker, StringComparison.Ordinal)) is { } row)
        {
            throw new PreflightRefusedException(
                RefusalReason.NameConflict,
                $"Trigger {table.Schema}.{row.GetString(0)} (on {row.GetString(1)}) uses a name this run needs for its own helper trigger (trigger names are unique per schema). Rename it (drop and create it under another name) and run again. Nothing was changed.");
        }
    }

    internal static bool SupportsOrderedTriggers(string serverVersion, bool mariaDb)
    {
        // MariaDB before 11 announces itself as 5.5.5-<version> for old clients.
        var match = Regex.Match(serverVersion, @"^(?:5\.5\.5-)?(\d+)\.(\d+)\.(\d+)", RegexOptions.CultureInvariant);
        if (!match.Success)
        {
            return false;
        }

        var version = new Version(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
        return version >= (mariaDb ? new Version(10, 2, 3) : new Version(5, 7, 2));
    }

    /// <summary>
    /// Refuses a trigger whose body names a column the ALTER drops or renames as NEW.c / OLD.c (the
    /// server resolves those only against the table the trigger is created on, so the swap could not
    /// create it). The rehearsal on the shadow (<see cref="RehearseAsync"/>) catches the rest.
    /// </summary>
    public static void CheckColumns(IReadOnlyList<MySqlUserTrigger> triggers, MyMapping mapping, TableName table)
    {
        var changed = mapping.Dropped.Concat(mapping.Copied.Where(c => !string.Equals(c.SourceName, c.ShadowName, StringComparison.OrdinalIgnoreCase)).Select(c => c.SourceName)).ToList();
        foreach (var trigger in triggers)
        {
            var used = changed.Where(c => Regex.IsMatch(trigger.Body, $@"\b(new|old)\s*\.\s*(`{Regex.Escape(c.Replace("`", "``", StringComparison.Ordinal))}`|{Regex.Escape(c)}\b)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)).ToList();
            if (used.Count > 0)
            {
                throw new PreflightRefusedException(
                    RefusalReason.UnsupportedTable,
                    $"Trigger {trigger.Name} on {table} uses column(s) {string.Join(", ", used)} (NEW./OLD.), which the ALTER drops or renames, so it cannot be carried to the new table. Change the trigger first (drop it and create it without those columns), then run the ALTER. Nothing was changed.");
            }
        }
    }

    /// <summary>
    /// Creates each trigger on the empty shadow under a rehearsal name and drops it at once, before a
    /// row is copied: the body compiles against the new shape, and this user may create it with its
    /// definer. A refusal leaves nothing behind once cleanup drops the shadow.
    /// </summary>
    public static async Task RehearseAsync(MySqlSession session, IReadOnlyList<MySqlUserTrigger> triggers, TableName table, string shadow, CancellationToken cancellationToken)
    {
        for (var i = 0; i < triggers.Count; i++)
        {
            var name = RehearsalName(table.Name, i);
            try
            {
                await CreateAsync(session, triggers[i], table.Schema, shadow, name, cancellationToken).ConfigureAwait(false);
            }
            catch (MySqlServerException error)
            {
                throw new PreflightRefusedException(
                    RefusalReason.UnsupportedTable,
                    $"Trigger {triggers[i].Name} on {table} cannot be created on the new table: {MySqlErrors.Describe(error)}. Creating a trigger for another definer ({triggers[i].Definer}) needs SUPER or SET USER; a body that names changed columns must be changed first. Nothing was kept.",
                    error);
            }

            await session.ExecuteAsync($"DROP TRIGGER IF EXISTS {MySqlStatements.Q(table.Schema, name)}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After a killed cut-over: the user's triggers go back onto the original and then the guards come
    /// off it, under LOCK TABLES on both (no write runs meanwhile). The guards carry the definitions as
    /// they were at the move, so every one of them is re-created on the original in order, wherever it
    /// was (still on t, on the shadow, or dropped and not yet created); without guards (killed before
    /// they existed) only what sits on the shadow moves. Rehearsal triggers are only dropped with the
    /// shadow. Idempotent. Returns what was done.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RestoreFromShadowAsync(MySqlSession session, TableName table, string shadow, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var onShadow = await ReadAsync(session, table.Schema, shadow, cancellationToken).ConfigureAwait(false);
        var rehearsal = onShadow.Select((_, i) => RehearsalName(table.Name, i)).ToHashSet(StringComparer.Ordinal);
        var fromShadow = onShadow.Where(t => !rehearsal.Contains(t.Name)).ToList();
        var (guards, carried) = await MySqlCutOverGuards.FindAsync(session, table, cancellationToken).ConfigureAwait(false);
        if (fromShadow.Count == 0 && guards.Count == 0)
        {
            return [];
        }

        var onTable = (await ReadAsync(session, table.Schema, table.Name, cancellationToken).ConfigureAwait(false)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var moving = carried.Concat(fromShadow.Where(t => !carried.Any(c => c.Name == t.Name))).ToList();
        var locks = $"{MySqlStatements.Q(table.Schema, table.Name)} WRITE" + (onShadow.Count > 0 ? $", {MySqlStatements.Q(table.Schema, shadow)} WRITE" : string.Empty);
        await session.ExecuteAsync(MySqlObjects.LockWaitTimeout(lockTimeout), cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync($"LOCK TABLES {locks}", cancellationToken).ConfigureAwait(false);
        try
        {
            // Off both tables first, then all onto t in firing order: the order comes back exactly.
            foreach (var trigger in moving.Where(t => onTable.Contains(t.Name) || fromShadow.Any(s => s.Name == t.Name)))
            {
                await session.ExecuteAsync($"DROP TRIGGER IF EXISTS {MySqlStatements.Q(table.Schema, trigger.Name)}", cancellationToken).ConfigureAwait(false);
            }

            foreach (var trigger in moving)
            {
                await CreateAsync(session, trigger, table.Schema, table.Name, name: null, cancellationToken).ConfigureAwait(false);
            }

            foreach (var drop in MySqlCutOverGuards.Drop(table))
            {
                await session.ExecuteAsync(drop, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await session.ExecuteAsync("UNLOCK TABLES", CancellationToken.None).ConfigureAwait(false);
        }

        return moving.Select(t => $"trigger {t.Name} (back on {table.Name}{(fromShadow.Any(s => s.Name == t.Name) ? $", from {shadow}" : string.Empty)})")
            .Concat(guards.Select(g => $"trigger {g} (cut-over guard)"))
            .ToList();
    }
}
