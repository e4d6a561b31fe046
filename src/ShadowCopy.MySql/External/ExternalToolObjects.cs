using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.MySql.External;

/// <summary>
/// The objects a peer tool leaves when it stops early: its new table (and gh-ost's changelog) and
/// pt-online-schema-change's triggers <c>pt_osc_&lt;db&gt;_&lt;table&gt;_ins/upd/del</c> (3.2.1:
/// create_triggers, prefix cut at 60 characters). A trigger counts as the tool's only when its
/// name has that prefix and its body writes the tool's new table, so a user's trigger is never dropped.
/// </summary>
internal static class ExternalToolObjects
{
    public static async Task<IReadOnlyList<string>> FindAsync(MySqlSession session, TableName table, HelperObjectNames names, ExternalTool tool, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        foreach (var (name, on) in await TriggersAsync(session, table, names, cancellationToken).ConfigureAwait(false))
        {
            found.Add($"trigger {name} on {on}");
        }

        foreach (var name in await TablesAsync(session, table, names, tool, cancellationToken).ConfigureAwait(false))
        {
            found.Add($"table {name}");
        }

        return found;
    }

    /// <summary>Refuses (exit 14) when an earlier run of the tool left its triggers; says how to remove them.</summary>
    public static async Task CheckNoLeftoversAsync(MySqlSession session, TableName table, HelperObjectNames names, ExternalTool tool, CancellationToken cancellationToken)
    {
        var triggers = await TriggersAsync(session, table, names, cancellationToken).ConfigureAwait(false);
        if (triggers.Count == 0)
        {
            return;
        }

        var drops = triggers.Select(t => $"DROP TRIGGER {MySqlStatements.Q(table.Schema, t.Name)};")
            .Append($"DROP TABLE {MySqlStatements.Q(table.Schema, names.Shadow)};");
        throw new PreflightRefusedException(
            RefusalReason.Leftovers,
            $"An earlier {tool.Name} run left its triggers on {table} ({string.Join(", ", triggers.Select(t => t.Name))}) writing to {names.Shadow}. If no run is active on {table}, remove them with: {string.Join(" ", drops)}");
    }

    /// <summary>Drops the tool's triggers (bounded lock waits, retried) and the given tables; returns what was dropped.</summary>
    public static async Task<IReadOnlyList<string>> DropAsync(MySqlSession session, TableName table, HelperObjectNames names, IReadOnlyList<string> tables, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var dropped = new List<string>();
        foreach (var (name, on) in await TriggersAsync(session, table, names, cancellationToken).ConfigureAwait(false))
        {
            await MySqlObjects.WithLockRetriesAsync(session, lockTimeout, 20, $"DROP TRIGGER IF EXISTS {MySqlStatements.Q(table.Schema, name)}", cancellationToken).ConfigureAwait(false);
            dropped.Add($"trigger {name} on {on}");
        }

        var present = await PresentAsync(session, table.Schema, tables, cancellationToken).ConfigureAwait(false);
        foreach (var name in tables.Where(present.Contains))
        {
            await MySqlObjects.WithLockRetriesAsync(session, lockTimeout, 20, $"DROP TABLE IF EXISTS {MySqlStatements.Q(table.Schema, name)}", cancellationToken).ConfigureAwait(false);
            dropped.Add($"table {name}");
        }

        return dropped;
    }

    private static async Task<List<string>> TablesAsync(MySqlSession session, TableName table, HelperObjectNames names, ExternalTool tool, CancellationToken cancellationToken) =>
        await PresentAsync(session, table.Schema, [names.Shadow, .. tool.OtherTables(table.Name)], cancellationToken).ConfigureAwait(false);

    private static async Task<List<string>> PresentAsync(MySqlSession session, string schema, IReadOnlyList<string> tables, CancellationToken cancellationToken)
    {
        if (tables.Count == 0)
        {
            return [];
        }

        var rows = await session.QueryAsync(
            $"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = {session.Literal(schema)} AND BINARY TABLE_NAME IN ({string.Join(", ", tables.Select(session.Literal))})",
            cancellationToken).ConfigureAwait(false);
        return rows.Rows.Select(r => r.GetString(0)).ToList();
    }

    private static async Task<List<(string Name, string On)>> TriggersAsync(MySqlSession session, TableName table, HelperObjectNames names, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(
            $"SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {session.Literal(table.Schema)} AND BINARY EVENT_OBJECT_TABLE IN ({session.Literal(table.Name)}, {session.Literal(names.Old)}) AND TRIGGER_NAME LIKE 'pt\\_osc\\_%' AND LOCATE({session.Literal(MySqlStatements.Q(names.Shadow))}, ACTION_STATEMENT) > 0",
            cancellationToken).ConfigureAwait(false);
        return rows.Rows.Select(r => (r.GetString(0), r.GetString(1))).ToList();
    }
}
