using System.Text.Json;
using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Revert;
using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres.Revert;

/// <summary>
/// The forward half of <c>alter --revertible</c> on PostgreSQL (ADR 0031): a row trigger on the new
/// table writes every change into the kept old table through the inverse column mapping, in the
/// writer's transaction; a value the old shape cannot hold is recorded in the misfit table instead of
/// failing the writer. Everything is created inside the cut-over transaction, after the renames, so it
/// exists exactly when the swap does.
/// </summary>
internal static class PgReverseCapture
{
    private static readonly PgDialect D = PgDialect.Instance;

    public static RevertNames NamesFor(TableName table) => RevertNames.For(table.Name, D.MaxIdentifierBytes);

    /// <summary>The mapped columns written back: not generated on the old side (the server computes those).</summary>
    public static IReadOnlyList<ColumnMap> WrittenBack(PgTable source, PgMapping mapping) =>
        [.. mapping.Copied.Where(c => source.Columns.First(s => s.Name == c.SourceName).Generated.Length == 0)];

    /// <summary>
    /// Read-only refusal (exit 18) of what the reverse capture cannot carry back, from the catalog alone:
    /// before the table's other checks, so a table with foreign keys hears this and not "pass
    /// --repoint-foreign-keys" first. The table's own triggers are carried back by revert (ADR 0031 amendment).
    /// </summary>
    public static void Check(TableName table, PgTable source) =>
        Refuse(table, source.OutgoingForeignKeys.Count + source.IncomingForeignKeys.Count > 0 ? "it takes part in foreign keys (carrying them back is not supported yet)" : null);

    /// <summary>
    /// The USING refusal (exit 18) and a planning check of the inverse INSERT, inside the preflight's
    /// rolled-back rehearsal (the shadow exists there): a new type with no assignment cast back fails here.
    /// </summary>
    public static async Task RehearseAsync(PgSession session, PgTable source, PgMapping mapping, TableName table, string shadow, CancellationToken cancellationToken)
    {
        Refuse(table, mapping.HasUsing ? "the ALTER has a USING expression, which has no inverse" : null);

        var columns = WrittenBack(source, mapping);
        var sql = $"EXPLAIN INSERT INTO {D.Qualified(table)} ({Join(columns.Select(c => c.SourceName))}) OVERRIDING SYSTEM VALUE SELECT {Join(columns.Select(c => c.ShadowName))} FROM {shadow}";
        await session.ExecuteAsync("SAVEPOINT shadowcopy_revertible", null, cancellationToken).ConfigureAwait(false);
        try
        {
            await session.ExecuteAsync(sql, null, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error)
        {
            await session.ExecuteAsync("ROLLBACK TO SAVEPOINT shadowcopy_revertible", null, cancellationToken).ConfigureAwait(false);
            throw new PreflightRefusedException(RefusalReason.UnsupportedTable, $"--revertible cannot map the new shape back onto {table}: {error.MessageText}. Nothing was changed.", error);
        }
    }

    /// <summary>Statements for the cut-over transaction, after the renames: <paramref name="newTable"/> is the new shape under the original name.</summary>
    public static IEnumerable<string> SwapStatements(TableName table, PgTable source, PgMapping mapping, string capture, string alter)
    {
        var n = NamesFor(table);
        var schema = table.Schema;
        var newTable = D.Qualified(table);
        var old = D.Qualified(schema, n.Old);
        var misfits = D.Qualified(schema, n.Misfits);
        var state = D.Qualified(schema, n.State);
        var function = D.Qualified(schema, n.Function);
        var columns = WrittenBack(source, mapping);
        string KeyJson(string row) => $"pg_catalog.jsonb_build_array({Join(mapping.Key.Select(k => row + "." + D.QuoteIdentifier(k.ShadowName)), raw: true)})::text";
        var oldKeyMatch = string.Join(" AND ", mapping.Key.Select(k => $"{D.QuoteIdentifier(k.SourceName)} = OLD.{D.QuoteIdentifier(k.ShadowName)}"));

        yield return $"CREATE TABLE {misfits} (k text PRIMARY KEY, error text NOT NULL, at timestamptz NOT NULL)";
        yield return $"COMMENT ON TABLE {misfits} IS {D.QuoteLiteral(PgObjects.Comment("rows that do not fit back (revert)", table))}";
        yield return $"CREATE TABLE {state} (id int PRIMARY KEY, old_table text NOT NULL, columns jsonb NOT NULL, indexes jsonb NOT NULL, capture text NOT NULL, alter_text text NOT NULL, swapped_at timestamptz NOT NULL)";
        yield return $"COMMENT ON TABLE {state} IS {D.QuoteLiteral(PgObjects.Comment("revert state", table))}";
        var pairs = JsonSerializer.Serialize(columns.Select(c => new[] { c.SourceName, c.ShadowName }));
        var indexes = JsonSerializer.Serialize(source.Indexes.Select(i => new[] { i.Name, HelperObjectNames.Derive(i.Name, "old", D.MaxIdentifierBytes) }));
        yield return $"INSERT INTO {state} VALUES (1, {D.QuoteLiteral(n.Old)}, {D.QuoteLiteral(pairs)}, {D.QuoteLiteral(indexes)}, {D.QuoteLiteral(capture)}, {D.QuoteLiteral(alter)}, pg_catalog.clock_timestamp())";
        var body = $"""
            BEGIN
              IF TG_OP <> 'INSERT' THEN
                DELETE FROM {old} WHERE {oldKeyMatch};
                DELETE FROM {misfits} WHERE k = {KeyJson("OLD")};
              END IF;
              IF TG_OP <> 'DELETE' THEN
                BEGIN
                  INSERT INTO {old} ({Join(columns.Select(c => c.SourceName))}) OVERRIDING SYSTEM VALUE VALUES ({Join(columns.Select(c => "NEW." + D.QuoteIdentifier(c.ShadowName)), raw: true)});
                EXCEPTION WHEN data_exception OR integrity_constraint_violation THEN
                  INSERT INTO {misfits} VALUES ({KeyJson("NEW")}, SQLERRM, pg_catalog.clock_timestamp())
                    ON CONFLICT (k) DO UPDATE SET error = EXCLUDED.error, at = EXCLUDED.at;
                END;
              END IF;
              RETURN NULL;
            END
            """;
        const string tag = "$shadowcopy_reverse$";
        if (body.Contains(tag, StringComparison.Ordinal))
        {
            throw new ShadowCopyException($"A name of {table} contains {tag}; --revertible cannot quote its trigger body.", ExitCodes.UnsupportedTable);
        }

        yield return $"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS {tag}{body}{tag}";
        yield return $"COMMENT ON FUNCTION {function}() IS {D.QuoteLiteral(PgObjects.Comment("reverse capture", table))}";
        yield return $"CREATE TRIGGER {D.QuoteIdentifier(n.Trigger)} AFTER INSERT OR UPDATE OR DELETE ON {newTable} FOR EACH ROW EXECUTE FUNCTION {function}()";
    }

    private static void Refuse(TableName table, string? why)
    {
        if (why is not null)
        {
            throw new PreflightRefusedException(RefusalReason.UnsupportedTable, $"--revertible cannot keep {table} revertible: {why}. Nothing was changed.");
        }
    }

    private static string Join(IEnumerable<string> items, bool raw = false) => string.Join(", ", raw ? items : items.Select(D.QuoteIdentifier));
}
