using System.Text.RegularExpressions;
using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres.Model;

namespace ShadowCopy.Postgres.CutOver;

/// <summary>One of the user's triggers on the original, as the catalog states it (ADR 0027).</summary>
/// <param name="Definition">pg_get_triggerdef: names the table as <paramref name="QualifiedTable"/> spells it.</param>
/// <param name="Enabled">pg_trigger.tgenabled: O (origin, the default), D, R (replica), A (always).</param>
internal sealed record PgUserTrigger(string Name, string Definition, string QualifiedTable, char Enabled, string? Comment, string FunctionSource);

/// <summary>
/// The user's triggers follow the table through the swap (ADR 0027). They never exist on the shadow
/// while rows are copied or changes applied (the change on the original already fired them, so their
/// side effects would happen twice); the cut-over transaction re-creates them on the new table right
/// after the renames, from the definitions read under its lock, and drops them from the old table,
/// so no committed write ever reaches either table without them, and none fires them twice.
/// </summary>
internal static class PgUserTriggers
{
    private static readonly PgDialect D = PgDialect.Instance;

    private const string ReadSql = """
        SELECT t.tgname::text, pg_catalog.pg_get_triggerdef(t.oid), pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
               t.tgenabled::text, pg_catalog.obj_description(t.oid, 'pg_trigger'), p.prosrc
        FROM pg_catalog.pg_trigger t
        JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
        WHERE t.tgrelid = $1 AND NOT t.tgisinternal AND t.tgname::text <> $2
        ORDER BY 1
        """;

    /// <summary>The user's triggers on the table with <paramref name="oid"/>; <paramref name="ours"/> (trigger capture's) excluded.</summary>
    public static async Task<IReadOnlyList<PgUserTrigger>> ReadAsync(PgSession session, uint oid, string ours, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(ReadSql, [oid, ours], cancellationToken).ConfigureAwait(false);
        return rows.Select(r => new PgUserTrigger((string)r[0]!, (string)r[1]!, (string)r[2]!, ((string)r[3]!)[0], (string?)r[4], (string)r[5]!)).ToList();
    }

    /// <summary>
    /// The statements that give <paramref name="newTable"/> the triggers; run after the renames, when
    /// the definitions' table name (read before them) names the new table. Old table: triggers dropped.
    /// </summary>
    public static IEnumerable<string> SwapStatements(IReadOnlyList<PgUserTrigger> triggers, string newTable, string oldTable)
    {
        foreach (var trigger in triggers)
        {
            var name = D.QuoteIdentifier(trigger.Name);
            yield return $"DROP TRIGGER {name} ON {oldTable}";
            yield return trigger.Definition;
            if (EnableClause(trigger.Enabled) is { } enable)
            {
                yield return $"ALTER TABLE {newTable} {enable} TRIGGER {name}";
            }

            if (trigger.Comment is not null)
            {
                yield return $"COMMENT ON TRIGGER {name} ON {newTable} IS {D.QuoteLiteral(trigger.Comment)}";
            }
        }
    }

    private static string? EnableClause(char enabled) => enabled switch
    {
        'D' => "DISABLE",
        'R' => "ENABLE REPLICA",
        'A' => "ENABLE ALWAYS",
        _ => null,
    };

    /// <summary>The definition pointed at another table (the rehearsal's shadow).</summary>
    internal static string Retarget(PgUserTrigger trigger, string table)
    {
        var on = " ON " + trigger.QualifiedTable + " ";
        var at = trigger.Definition.IndexOf(on, "CREATE TRIGGER ".Length + trigger.Name.Length, StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidOperationException($"unexpected trigger definition: {trigger.Definition}");
        }

        return trigger.Definition[..at] + " ON " + table + " " + trigger.Definition[(at + on.Length)..];
    }

    /// <summary>
    /// Refuses triggers that would not work on the new shape: a column the ALTER drops or renames
    /// named as NEW.c / OLD.c in the trigger function's source (PL/pgSQL resolves it only when the
    /// trigger fires, so the first write after the swap would fail), or a definition (UPDATE OF,
    /// WHEN) that the server rejects on the shadow. Runs inside the rolled-back rehearsal.
    /// </summary>
    public static async Task RehearseAsync(PgSession session, IReadOnlyList<PgUserTrigger> triggers, PgMapping mapping, TableName table, string shadow, CancellationToken cancellationToken)
    {
        var changed = mapping.Dropped.Concat(mapping.Copied.Where(c => c.SourceName != c.ShadowName).Select(c => c.SourceName)).ToList();
        foreach (var trigger in triggers)
        {
            if (ReferencedColumns(trigger.FunctionSource, changed) is { Count: > 0 } used)
            {
                throw new PreflightRefusedException(
                    RefusalReason.UnsupportedTable,
                    $"Trigger {trigger.Name} on {table} uses column(s) {string.Join(", ", used)} (NEW./OLD. in its function), which the ALTER drops or renames; on the new table it would fail at the first write. Change the trigger function first (CREATE OR REPLACE FUNCTION), then run the ALTER. Nothing was changed.");
            }

            await session.ExecuteAsync("SAVEPOINT shadowcopy_trigger", null, cancellationToken).ConfigureAwait(false);
            try
            {
                await session.ExecuteAsync(Retarget(trigger, shadow), null, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException error)
            {
                throw new PreflightRefusedException(
                    RefusalReason.UnsupportedTable,
                    $"Trigger {trigger.Name} on {table} cannot be re-created on the new shape: {error.MessageText}. Drop or change it first, then run the ALTER (re-create it after). Nothing was changed.",
                    error);
            }

            await session.ExecuteAsync("ROLLBACK TO SAVEPOINT shadowcopy_trigger", null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Which of <paramref name="columns"/> the source names as NEW.c or OLD.c (case-insensitive unless quoted).</summary>
    internal static IReadOnlyList<string> ReferencedColumns(string source, IReadOnlyList<string> columns) =>
        columns.Where(c =>
            Regex.IsMatch(source, $@"\b(new|old)\s*\.\s*""{Regex.Escape(c.Replace("\"", "\"\"", StringComparison.Ordinal))}""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)
            || (string.Equals(c, c.ToLowerInvariant(), StringComparison.Ordinal) && Regex.IsMatch(source, $@"\b(new|old)\s*\.\s*{Regex.Escape(c)}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)))
        .ToList();
}
