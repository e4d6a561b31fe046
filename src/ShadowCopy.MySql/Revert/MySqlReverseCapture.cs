using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Revert;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Revert;

/// <summary>
/// The forward half of <c>alter --revertible</c> on MariaDB/MySQL (ADR 0031): AFTER triggers on the new
/// table write each change into the kept old table through the inverse mapping, in the writer's
/// transaction. They are created on the shadow inside the go-token cut-over's lock, so the RENAME takes
/// them along and the first write that reaches the new table fires them. A value the old shape cannot
/// hold (strict sql_mode makes it an error) goes to the misfit table through a CONTINUE handler, so the
/// writer's statement never fails because of us.
/// </summary>
internal static class MySqlReverseCapture
{
    /// <summary>Data and constraint errors a write-back may meet: out of range, too long, bad value, NULL, duplicate, check, foreign key.</summary>
    private const string Misfit = "1048, 1062, 1263, 1264, 1265, 1292, 1366, 1406, 1452, 1690, 3819, 4025";

    private const string StrictMode = "STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION";

    public static RevertNames NamesFor(TableName table) => RevertNames.For(table.Name, MySqlDialect.Instance.MaxIdentifierBytes);

    /// <summary>Read-only refusals (exit 18): the table's own triggers and foreign keys are not carried back yet.</summary>
    public static void Check(TableName table, bool hasUserTriggers, bool hasForeignKeys)
    {
        var why = hasUserTriggers ? "it has triggers of its own (carrying them back is not supported yet)"
            : hasForeignKeys ? "it takes part in foreign keys (carrying them back is not supported yet)"
            : null;
        if (why is not null)
        {
            throw new PreflightRefusedException(RefusalReason.UnsupportedTable, $"--revertible cannot keep {table} revertible: {why}. Nothing was changed.");
        }
    }

    /// <summary>The mapped columns written back (never a generated column of the old table).</summary>
    public static IReadOnlyList<MyColumnMap> WrittenBack(MyMapping mapping) => [.. mapping.Copied.Where(c => !c.Source.IsGenerated)];

    /// <summary>Before the cut-over's lock: the misfit and state tables (kept out of the lock; dropped again if the swap does not happen).</summary>
    public static async Task PrepareAsync(MySqlAlterBackend backend, CancellationToken cancellationToken)
    {
        var table = backend.Options.Table;
        var n = NamesFor(table);
        var main = backend.MainSession;
        var comment = (string role) => MySqlEscaping.QuoteString(MySqlStatements.CommentFor($"{table.Schema}.{table.Name}", role), false);
        var mapping = backend.RevertMapping!;
        await main.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {MySqlStatements.Q(table.Schema, n.Misfits)} (k VARCHAR(700) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY, error TEXT NOT NULL, at DATETIME(6) NOT NULL) ENGINE=InnoDB COMMENT={comment("rows that do not fit back (revert)")}", cancellationToken).ConfigureAwait(false);
        await main.ExecuteAsync($"CREATE TABLE IF NOT EXISTS {MySqlStatements.Q(table.Schema, n.State)} (id INT NOT NULL PRIMARY KEY, old_table VARCHAR(64) NOT NULL, columns_json LONGTEXT NOT NULL, capture VARCHAR(20) NOT NULL, alter_text LONGTEXT NOT NULL, created_at DATETIME(6) NOT NULL, swapped_at DATETIME(6) NULL, reverted_at DATETIME(6) NULL) ENGINE=InnoDB COMMENT={comment("revert state")}", cancellationToken).ConfigureAwait(false);
        var pairs = JsonSerializer.Serialize(WrittenBack(mapping).Select(c => new[] { c.SourceName, c.ShadowName }));
        await main.ExecuteAsync(
            $"REPLACE INTO {MySqlStatements.Q(table.Schema, n.State)} VALUES (1, {main.Literal(n.Old)}, {main.Literal(pairs)}, {main.Literal(backend.Capture.ToString().ToLowerInvariant())}, {main.Literal(backend.RevertAlter ?? string.Empty)}, UTC_TIMESTAMP(6), NULL, NULL)",
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Under the cut-over's lock, on the applier's idle session: the reverse triggers go onto the shadow.</summary>
    public static async Task InstallOnShadowAsync(MySqlAlterBackend backend, CancellationToken cancellationToken)
    {
        var main = backend.MainSession;
        await main.ExecuteAsync($"SET @shadowcopy_sql_mode = @@SESSION.sql_mode, SESSION sql_mode = '{StrictMode}'", cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var sql in Triggers(backend.Options.Table, backend.Names.Shadow, backend.RevertMapping!))
            {
                await main.ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await main.ExecuteAsync("SET SESSION sql_mode = @shadowcopy_sql_mode", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>The swap did not happen: triggers off the shadow (before the applier writes it again), helper tables dropped.</summary>
    public static async Task UndoAsync(MySqlAlterBackend backend)
    {
        var none = CancellationToken.None;
        await backend.EnsureMainAsync(none).ConfigureAwait(false);
        var table = backend.Options.Table;
        var n = NamesFor(table);
        foreach (var (_, name) in n.Triggers)
        {
            await backend.MainSession.ExecuteAsync($"DROP TRIGGER IF EXISTS {MySqlStatements.Q(table.Schema, name)}", none).ConfigureAwait(false);
        }

        await backend.MainSession.ExecuteAsync($"DROP TABLE IF EXISTS {MySqlStatements.Q(table.Schema, n.Misfits)}, {MySqlStatements.Q(table.Schema, n.State)}", none).ConfigureAwait(false);
    }

    /// <summary>Right after the RENAME: when the table became revertible.</summary>
    public static async Task MarkSwappedAsync(MySqlAlterBackend backend, CancellationToken cancellationToken)
    {
        var table = backend.Options.Table;
        await backend.MainSession.ExecuteAsync($"UPDATE {MySqlStatements.Q(table.Schema, NamesFor(table).State)} SET swapped_at = UTC_TIMESTAMP(6) WHERE id = 1", cancellationToken).ConfigureAwait(false);
    }

    public static IEnumerable<string> Triggers(TableName table, string on, MyMapping mapping)
    {
        var n = NamesFor(table);
        var s = table.Schema;
        var old = MySqlStatements.Q(s, n.Old);
        var misfits = MySqlStatements.Q(s, n.Misfits);
        var columns = WrittenBack(mapping);
        var marker = $"/* {MySqlStatements.Marker}reverse capture of {$"{s}.{table.Name}".Replace("*/", "* /", StringComparison.Ordinal)} */";
        string Key(string row) => $"JSON_ARRAY({string.Join(", ", mapping.Key.Select(k => $"{row}.{MySqlStatements.Q(k.ShadowName)}"))})";
        var oldKey = string.Join(" AND ", mapping.Key.Select(k => $"{MySqlStatements.Q(k.SourceName)} = OLD.{MySqlStatements.Q(k.ShadowName)}"));
        var handler = $"DECLARE shadowcopy_error TEXT DEFAULT ''; DECLARE CONTINUE HANDLER FOR {Misfit} BEGIN GET DIAGNOSTICS CONDITION 1 shadowcopy_error = MESSAGE_TEXT; "
            + $"INSERT INTO {misfits} (k, error, at) VALUES ({Key("NEW")}, shadowcopy_error, NOW(6)) ON DUPLICATE KEY UPDATE error = VALUES(error), at = VALUES(at); END;";
        var write = $"INSERT INTO {old} ({string.Join(", ", columns.Select(c => MySqlStatements.Q(c.SourceName)))}) VALUES ({string.Join(", ", columns.Select(c => "NEW." + MySqlStatements.Q(c.ShadowName)))});";
        var forgetOld = $"DELETE FROM {old} WHERE {oldKey}; DELETE FROM {misfits} WHERE k = {Key("OLD")};";
        var target = MySqlStatements.Q(s, on);
        var name = n.Triggers.ToDictionary(t => t.Event, t => MySqlStatements.Q(s, t.Name));
        yield return $"CREATE TRIGGER {name["INSERT"]} AFTER INSERT ON {target} FOR EACH ROW BEGIN {marker} {handler} DELETE FROM {misfits} WHERE k = {Key("NEW")}; {write} END";
        yield return $"CREATE TRIGGER {name["UPDATE"]} AFTER UPDATE ON {target} FOR EACH ROW BEGIN {marker} {handler} {forgetOld} {write} END";
        yield return $"CREATE TRIGGER {name["DELETE"]} AFTER DELETE ON {target} FOR EACH ROW BEGIN {marker} {forgetOld} END";
    }
}
