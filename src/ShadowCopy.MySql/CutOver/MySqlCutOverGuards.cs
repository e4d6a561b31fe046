using System.Text;
using System.Text.RegularExpressions;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.CutOver;

/// <summary>
/// Guard triggers for the move of the user's triggers (ADR 0027, "Kill -9"). Before the first user
/// trigger leaves t, session A creates BEFORE INSERT, UPDATE and DELETE triggers on t whose body is
/// a SIGNAL: should the tool die before the swap, the server releases A's lock and t refuses every
/// write with a message naming the fix, instead of taking writes that skip the user's triggers.
/// All three events, not only those the user's triggers fire on: an interrupted table is then simply
/// read-only, with no mix of writes that work and writes that do not, and the names are fixed for
/// the name-conflict check. The body also carries the moved triggers' definitions (base64 in a
/// comment), so a kill between a DROP on t and its CREATE on the shadow loses no trigger: restoring
/// re-creates them all from there. A SIGNAL in a BEFORE trigger ends the statement before the row
/// changes, so no AFTER trigger (our capture's included) fires.
/// </summary>
internal static class MySqlCutOverGuards
{
    private const int MaxMessage = 128;
    private const string PayloadTag = "moving:";
    private static readonly string[] Events = ["INSERT", "UPDATE", "DELETE"];

    /// <summary>The guard names for <paramref name="table"/> (one per event, derived like the other helper names).</summary>
    public static IReadOnlyList<string> Names(string table) => Events.Select(e => Name(table, e)).ToList();

    private static string Name(string table, string @event) => HelperObjectNames.Derive(table, "guard_" + @event[..3].ToLowerInvariant(), 64);

    /// <summary>What a write to the guarded table fails with (SQLSTATE 45000), at most 128 characters.</summary>
    public static string Message(string table)
    {
        var text = $"shadowcopy's cut-over of {table} was interrupted: writes refused; run shadowcopy alter --resume or shadowcopy cleanup";
        return text.Length <= MaxMessage ? text : "shadowcopy's cut-over of this table was interrupted: writes refused; run shadowcopy alter --resume or shadowcopy cleanup";
    }

    /// <summary>
    /// One CREATE TRIGGER per event. Each precedes the user's first BEFORE trigger of its event, so a
    /// write never runs a user trigger's side effects before it is refused.
    /// </summary>
    public static IReadOnlyList<(string Name, string Sql)> Create(TableName table, IReadOnlyList<MySqlUserTrigger> moving)
    {
        var payload = string.Join(" ", moving.Select(Encode));
        var label = $"{table.Schema}.{table.Name}".Replace("*/", "* /", StringComparison.Ordinal);
        return Events.Select(e =>
        {
            var name = Name(table.Name, e);
            var first = moving.Where(t => t.Timing == "BEFORE" && t.Event == e).MinBy(t => t.Order);
            var precedes = first is null ? string.Empty : $" PRECEDES {MySqlStatements.Q(first.Name)}";
            return (name, $"CREATE TRIGGER {MySqlStatements.Q(table.Schema, name)} BEFORE {e} ON {MySqlStatements.Q(table.Schema, table.Name)} FOR EACH ROW{precedes} BEGIN /* {MySqlStatements.Marker}cut-over guard of {label}; {PayloadTag} {payload} */ SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = {MySqlEscaping.QuoteString(Message(table.Name), false)}; END");
        }).ToList();
    }

    public static IEnumerable<string> Drop(TableName table) => Names(table.Name).Select(n => $"DROP TRIGGER IF EXISTS {MySqlStatements.Q(table.Schema, n)}");

    /// <summary>
    /// Our guards still on <paramref name="table"/> itself (a cut-over that did not swap), with the
    /// definitions they carry. Guards the RENAME took to the old table are not these: the triggers are
    /// on the new table then, and the guards go with the capture triggers (MySqlObjects.DropAllAsync).
    /// Only cleanup, --resume and a failed swap read them, never while a RENAME is queued. The filter
    /// names the table: information_schema.TRIGGERS checks its schema and table-name conditions before
    /// it opens a table's .TRG, so no other table is opened (an open of a table whose metadata lock a
    /// waiting RENAME holds would wait for that RENAME; measured in issue #16's first guard branch, where
    /// a test read without a table filter stalled a cut-over 32 s).
    /// </summary>
    public static async Task<(IReadOnlyList<string> Present, IReadOnlyList<MySqlUserTrigger> Moving)> FindAsync(MySqlSession session, TableName table, CancellationToken cancellationToken)
    {
        var names = Names(table.Name);
        var rows = await session.QueryAsync(
            $"SELECT TRIGGER_NAME, ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = {session.Literal(table.Schema)} AND BINARY EVENT_OBJECT_TABLE = {session.Literal(table.Name)} AND BINARY TRIGGER_NAME IN ({string.Join(", ", names.Select(session.Literal))})",
            cancellationToken).ConfigureAwait(false);
        var ours = rows.Rows.Where(r => r.GetString(1).Contains(MySqlStatements.Marker, StringComparison.Ordinal)).ToList();
        var moving = ours.Select(r => Carried(r.GetString(1))).FirstOrDefault(m => m is not null) ?? [];
        return (ours.Select(r => r.GetString(0)).ToList(), moving);
    }

    private static string Encode(MySqlUserTrigger t) =>
        string.Join(".", new[] { t.Name, t.Timing, t.Event, t.Order.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Body, t.Definer, t.SqlMode, t.Collation }.Select(f => Convert.ToBase64String(Encoding.UTF8.GetBytes(f))));

    /// <summary>The definitions a guard's body (its ACTION_STATEMENT, as the server keeps it) carries; null if it carries none.</summary>
    internal static IReadOnlyList<MySqlUserTrigger>? Carried(string body)
    {
        var match = Regex.Match(body, Regex.Escape(PayloadTag) + @" ([A-Za-z0-9+/=. ]*) \*/", RegexOptions.CultureInvariant);
        if (!match.Success)
        {
            return null;
        }

        var list = new List<MySqlUserTrigger>();
        foreach (var item in match.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = item.Split('.').Select(p => Encoding.UTF8.GetString(Convert.FromBase64String(p))).ToArray();
            if (f.Length != 8)
            {
                return null;
            }

            list.Add(new MySqlUserTrigger(f[0], f[1], f[2], long.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture), f[4], f[5], f[6], f[7]));
        }

        return list;
    }
}
