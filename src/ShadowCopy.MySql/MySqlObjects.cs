using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.CutOver;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// Finds and removes a run's helper objects. The state table <c>_t_log</c> carries the marker
/// comment and is created before the shadow and dropped after it, so a shadow is ours exactly
/// when our state table is there; trigger bodies carry the marker, and so does the checkpoint
/// table <c>_t_state</c> (dropped last). Cleanup never drops a
/// user's object that happens to share a name.
/// </summary>
internal static class MySqlObjects
{
    private static readonly string[] TriggerSuffixes = ["ins", "upd", "del"];

    public static IReadOnlyList<string> TriggerNames(string table) => TriggerSuffixes.Select(s => MySqlStatements.TriggerName(table, s)).ToList();

    /// <summary>Refuses names taken by others and, unless <paramref name="resuming"/>, our own leftovers.</summary>
    public static async Task CheckNoLeftoversAsync(MySqlSession session, TableName table, HelperObjectNames names, bool resuming, CancellationToken cancellationToken)
    {
        var keyLog = MySqlStatements.KeyLogName(table.Name);
        var tables = await TablesAsync(session, table.Schema, [names.Shadow, names.ChangeLog, names.Old, names.State, keyLog], cancellationToken).ConfigureAwait(false);
        if (tables.ContainsKey(keyLog) && !IsOurs(tables, keyLog))
        {
            throw new PreflightRefusedException(RefusalReason.NameConflict, $"A table not created by shadowcopy uses the name {table.Schema}.{keyLog} this run needs. Rename it and run again.");
        }

        if (tables.TryGetValue(names.Old, out var oldComment) && oldComment.StartsWith(MySqlStatements.Marker, StringComparison.Ordinal))
        {
            throw new PreflightRefusedException(RefusalReason.Leftovers, $"An interrupted cut-over left its sentry table {table.Schema}.{names.Old}. If no other run is active on {table}, remove it with: shadowcopy cleanup --dsn … --table {table.Name}");
        }

        if (tables.ContainsKey(names.Old))
        {
            throw new PreflightRefusedException(RefusalReason.NameConflict, $"{table.Schema}.{names.Old} exists (the table kept by an earlier run, or a table of yours). Drop or rename it; the cut-over needs that name.");
        }

        var ours = tables.TryGetValue(names.ChangeLog, out var comment) && comment.StartsWith(MySqlStatements.Marker, StringComparison.Ordinal);
        if (tables.ContainsKey(names.ChangeLog) && !ours)
        {
            throw new PreflightRefusedException(RefusalReason.NameConflict, $"A table not created by shadowcopy uses the name {table.Schema}.{names.ChangeLog} this run needs. Rename it and run again.");
        }

        if (tables.ContainsKey(names.Shadow) && !ours)
        {
            throw new PreflightRefusedException(RefusalReason.NameConflict, $"A table not created by shadowcopy uses the name {table.Schema}.{names.Shadow} this run needs. Rename it and run again.");
        }

        if (tables.ContainsKey(names.State) && !IsOurs(tables, names.State))
        {
            throw new PreflightRefusedException(RefusalReason.NameConflict, $"A table not created by shadowcopy uses the name {table.Schema}.{names.State} this run needs. Rename it and run again.");
        }

        var triggers = await OurTriggersAsync(session, table.Schema, [table.Name, names.Old], cancellationToken).ConfigureAwait(false);
        var functions = await OurConversionsAsync(session, table, cancellationToken).ConfigureAwait(false);
        if (!resuming && (ours || IsOurs(tables, names.State) || IsOurs(tables, keyLog) || triggers.Count > 0 || functions.Count > 0))
        {
            var found = tables.Keys.Select(n => $"table {n}").Concat(triggers.Select(t => $"trigger {t.Name}")).Concat(functions.Select(f => $"function {f}"));
            throw new PreflightRefusedException(
                RefusalReason.Leftovers,
                $"An earlier run left {string.Join(", ", found)}. If that run was killed and its checkpoint is usable, continue it by adding --resume (same --alter and --capture); otherwise, if no other run is active on {table}, remove them with: shadowcopy cleanup --dsn … --table {table.Name}");
        }
    }

    /// <summary>Our verification conversion functions of the table: their comment names the role and the table (MySqlStatements.Conversions).</summary>
    private static async Task<List<string>> OurConversionsAsync(MySqlSession session, TableName table, CancellationToken cancellationToken)
    {
        var comment = MySqlStatements.CommentFor($"{table.Schema}.{table.Name}", MySqlStatements.ConversionRole);
        var rows = await session.QueryAsync(
            $"SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = {session.Literal(table.Schema)} AND ROUTINE_TYPE = 'FUNCTION' AND BINARY ROUTINE_COMMENT = {session.Literal(comment)}",
            cancellationToken).ConfigureAwait(false);
        return rows.Rows.Select(r => r.GetString(0)).ToList();
    }

    /// <summary>Names of our triggers on the table (marker in the body): capture triggers, and cut-over guards left by a killed run.</summary>
    public static async Task<IReadOnlyList<string>> OurTriggerNamesAsync(MySqlSession session, TableName table, CancellationToken cancellationToken) =>
        (await OurTriggersAsync(session, table.Schema, [table.Name], cancellationToken).ConfigureAwait(false)).Select(t => t.Name).ToList();

    /// <summary>Which of <paramref name="names"/> exist, with whether each carries our marker comment.</summary>
    public static async Task<IReadOnlyDictionary<string, bool>> HelperTablesAsync(MySqlSession session, string schema, IReadOnlyList<string> names, CancellationToken cancellationToken) =>
        (await TablesAsync(session, schema, names, cancellationToken).ConfigureAwait(false))
            .ToDictionary(p => p.Key, p => p.Value.StartsWith(MySqlStatements.Marker, StringComparison.Ordinal), StringComparer.Ordinal);

    private static bool IsOurs(Dictionary<string, string> tables, string name) =>
        tables.TryGetValue(name, out var comment) && comment.StartsWith(MySqlStatements.Marker, StringComparison.Ordinal);

    /// <summary>Drops our triggers (bounded metadata-lock wait, retried), the shadow, then the state table.</summary>
    public static async Task<IReadOnlyList<string>> DropAllAsync(MySqlSession session, TableName table, HelperObjectNames names, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken)
    {
        var dropped = new List<string>();
        // Before the shadow goes: a cut-over killed mid-way leaves the table's own triggers on it (ADR 0027).
        var shadowIsOurs = (await TablesAsync(session, table.Schema, [names.ChangeLog], cancellationToken).ConfigureAwait(false)).Values.Any(c => c.StartsWith(MySqlStatements.Marker, StringComparison.Ordinal));
        if (shadowIsOurs)
        {
            dropped.AddRange(await MySqlUserTriggers.RestoreFromShadowAsync(session, table, names.Shadow, lockTimeout, cancellationToken).ConfigureAwait(false));
        }

        foreach (var (name, _) in await OurTriggersAsync(session, table.Schema, [table.Name, names.Old], cancellationToken).ConfigureAwait(false))
        {
            await WithLockRetriesAsync(session, lockTimeout, attempts, $"DROP TRIGGER IF EXISTS {MySqlStatements.Q(table.Schema, name)}", cancellationToken).ConfigureAwait(false);
            dropped.Add($"trigger {name}");
        }

        foreach (var function in await OurConversionsAsync(session, table, cancellationToken).ConfigureAwait(false))
        {
            await session.ExecuteAsync($"DROP FUNCTION IF EXISTS {MySqlStatements.Q(table.Schema, function)}", cancellationToken).ConfigureAwait(false);
            dropped.Add($"function {function}");
        }

        var keyLog = MySqlStatements.KeyLogName(table.Name);
        var tables = await TablesAsync(session, table.Schema, [names.Shadow, names.ChangeLog, names.Old, names.State, keyLog], cancellationToken).ConfigureAwait(false);
        if (IsOurs(tables, keyLog))
        {
            // After the triggers: nothing writes to it any more.
            await WithLockRetriesAsync(session, lockTimeout, attempts, $"DROP TABLE IF EXISTS {MySqlStatements.Q(table.Schema, keyLog)}", cancellationToken).ConfigureAwait(false);
            dropped.Add($"table {keyLog}");
        }

        if (tables.TryGetValue(names.Old, out var oldComment) && oldComment.StartsWith(MySqlStatements.Marker, StringComparison.Ordinal))
        {
            // Only the cut-over sentry carries the marker; the kept old table has the user's comment.
            await WithLockRetriesAsync(session, lockTimeout, attempts, $"DROP TABLE IF EXISTS {MySqlStatements.Q(table.Schema, names.Old)}", cancellationToken).ConfigureAwait(false);
            dropped.Add($"table {names.Old} (cut-over sentry)");
        }

        dropped.AddRange(await DropGoTokensAsync(session, table, lockTimeout, attempts, cancellationToken).ConfigureAwait(false));
        if (tables.TryGetValue(names.ChangeLog, out var comment) && comment.StartsWith(MySqlStatements.Marker, StringComparison.Ordinal))
        {
            if (tables.ContainsKey(names.Shadow))
            {
                // A run killed inside its cut-over may have left children pointing at the shadow (ADR 0026).
                dropped.AddRange(await MySqlForeignKeys.RepairAsync(session, table, names.Shadow, lockTimeout, attempts, cancellationToken).ConfigureAwait(false));
                await WithLockRetriesAsync(session, lockTimeout, attempts, $"DROP TABLE IF EXISTS {MySqlStatements.Q(table.Schema, names.Shadow)}", cancellationToken).ConfigureAwait(false);
                dropped.Add($"table {names.Shadow}");
            }

            await WithLockRetriesAsync(session, lockTimeout, attempts, $"DROP TABLE IF EXISTS {MySqlStatements.Q(table.Schema, names.ChangeLog)}", cancellationToken).ConfigureAwait(false);
            dropped.Add($"table {names.ChangeLog}");
        }

        // The checkpoint last: while it exists, a half-cleaned run still reads as a leftover.
        if (IsOurs(tables, names.State))
        {
            await WithLockRetriesAsync(session, lockTimeout, attempts, $"DROP TABLE IF EXISTS {MySqlStatements.Q(table.Schema, names.State)}", cancellationToken).ConfigureAwait(false);
            dropped.Add($"table {names.State}");
        }

        return dropped;
    }

    /// <summary>
    /// Binlog capture: the cut-over's go-token names (<see cref="MySqlGoToken"/>) must be free — a
    /// table of that name would let the swap's RENAME through before the drain — or be ours from a
    /// killed run (leftovers). A table name too long to derive one from is refused up front.
    /// </summary>
    public static async Task CheckGoTokenNamesAsync(MySqlSession session, TableName table, CancellationToken cancellationToken)
    {
        if (MySqlGoToken.For(table.Name) is not { } tokens)
        {
            throw new PreflightRefusedException(RefusalReason.NameConflict, $"The name of {table} is too long for the binlog cut-over's helper name (see docs/cut-over.md); run with --capture trigger.");
        }

        foreach (var (name, comment) in await TablesAsync(session, table.Schema, [tokens.Go, tokens.Gone], cancellationToken).ConfigureAwait(false))
        {
            throw comment.StartsWith(MySqlStatements.Marker, StringComparison.Ordinal)
                ? new PreflightRefusedException(RefusalReason.Leftovers, $"An interrupted cut-over left {table.Schema}.{name}. If no other run is active on {table}, remove it with: shadowcopy cleanup --dsn … --table {table.Name}")
                : new PreflightRefusedException(RefusalReason.NameConflict, $"A table not created by shadowcopy uses the name {table.Schema}.{name} the binlog cut-over needs. Rename it, or run with --capture trigger.");
        }
    }

    /// <summary>Drops the binlog cut-over's go tokens (<see cref="MySqlGoToken"/>) if they exist and carry our marker.</summary>
    public static async Task<IReadOnlyList<string>> DropGoTokensAsync(MySqlSession session, TableName table, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken)
    {
        var dropped = new List<string>();
        if (MySqlGoToken.For(table.Name) is not { } tokens)
        {
            return dropped;
        }

        var found = await TablesAsync(session, table.Schema, [tokens.Go, tokens.Gone], cancellationToken).ConfigureAwait(false);
        foreach (var (name, comment) in found)
        {
            if (comment.StartsWith(MySqlStatements.Marker, StringComparison.Ordinal))
            {
                await WithLockRetriesAsync(session, lockTimeout, attempts, $"DROP TABLE IF EXISTS {MySqlStatements.Q(table.Schema, name)}", cancellationToken).ConfigureAwait(false);
                dropped.Add($"table {name} (cut-over go token)");
            }
        }

        return dropped;
    }

    /// <summary>Runs one DDL statement with a bounded lock_wait_timeout, retrying lock timeouts with jitter.</summary>
    public static async Task<TimeSpan> WithLockRetriesAsync(MySqlSession session, TimeSpan lockTimeout, int attempts, string sql, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await session.ExecuteAsync(LockWaitTimeout(lockTimeout), cancellationToken).ConfigureAwait(false);
                return await session.TimedExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
            }
            catch (MySqlServerException error) when (MySqlErrors.IsLockTimeout(error) && attempt < attempts)
            {
                var delay = Backoff.Jittered(attempt, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>lock_wait_timeout takes whole seconds (minimum 1).</summary>
    public static string LockWaitTimeout(TimeSpan timeout) =>
        $"SET SESSION lock_wait_timeout = {Math.Max(1, (long)Math.Ceiling(timeout.TotalSeconds))}";

    private static async Task<Dictionary<string, string>> TablesAsync(MySqlSession session, string schema, IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        var list = string.Join(", ", names.Select(session.Literal));
        var rows = await session.QueryAsync(
            $"SELECT TABLE_NAME, COALESCE(TABLE_COMMENT, '') FROM information_schema.TABLES WHERE TABLE_SCHEMA = {session.Literal(schema)} AND BINARY TABLE_NAME IN ({list})",
            cancellationToken).ConfigureAwait(false);
        return rows.Rows.ToDictionary(r => r.GetString(0), r => r.GetString(1), StringComparer.Ordinal);
    }

    private static async Task<List<(string Name, string Table)>> OurTriggersAsync(MySqlSession session, string schema, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        // Capture triggers and cut-over guards keep the names derived from t on the old table too.
        var names = TriggerNames(tables[0]).Concat(MySqlCutOverGuards.Names(tables[0])).ToList();
        var rows = await session.QueryAsync(
            $"SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {session.Literal(schema)} AND BINARY EVENT_OBJECT_TABLE IN ({string.Join(", ", tables.Select(session.Literal))}) AND BINARY TRIGGER_NAME IN ({string.Join(", ", names.Select(session.Literal))})",
            cancellationToken).ConfigureAwait(false);
        return rows.Rows
            .Where(r => r.GetString(2).Contains(MySqlStatements.Marker, StringComparison.Ordinal))
            .Select(r => (r.GetString(0), r.GetString(1)))
            .ToList();
    }
}
