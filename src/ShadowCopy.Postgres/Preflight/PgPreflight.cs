using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Postgres.Capture;
using ShadowCopy.Postgres.Capture.Logical;
using ShadowCopy.Postgres.Model;

namespace ShadowCopy.Postgres.Preflight;

/// <summary>Catalog-only refusals (docs/user-guide.md#refusals). Each says what to do instead.</summary>
internal static class PgPreflight
{
    public static void CheckTable(PgTable table, AlterOptions options)
    {
        var name = $"{table.Schema}.{table.Name}";
        if (table.Kind == "p" || table.IsPartition || table.HasInheritance)
        {
            throw new PreflightRefusedException(
                RefusalReason.PartitionedTable,
                $"{name} is partitioned, a partition, or part of an inheritance tree; shadowcopy does not rewrite those. Alter the partitions one by one or use native partition DDL.");
        }

        if (table.Kind != "r")
        {
            throw new PreflightRefusedException(RefusalReason.UnsupportedTable, $"{name} is not an ordinary table (relkind '{table.Kind}').");
        }

        if (table.Persistence == "t")
        {
            throw new PreflightRefusedException(RefusalReason.UnsupportedTable, $"{name} is a temporary table; alter it directly.");
        }

        if (!table.CanOwn)
        {
            throw new PreflightRefusedException(
                RefusalReason.MissingPrivileges,
                $"The connecting role is not the owner of {name} (owner: {table.Owner}) nor a member of that role; renaming the table and installing triggers need ownership. Connect as {table.Owner} or GRANT {table.Owner} TO the connecting role.");
        }

        if (!table.CanCreateInSchema)
        {
            throw new PreflightRefusedException(
                RefusalReason.MissingPrivileges,
                $"The connecting role lacks CREATE on schema {table.Schema}; the shadow, change log and trigger function are created there. GRANT CREATE ON SCHEMA {table.Schema} TO the connecting role.");
        }

        if (table.IncomingForeignKeys.Count > 0 && !options.RepointForeignKeys)
        {
            var list = string.Join(", ", table.IncomingForeignKeys.Select(f => $"{f.ChildSchema}.{f.ChildTable}.{f.Name}"));
            throw new PreflightRefusedException(
                RefusalReason.ForeignKeys,
                $"Foreign keys reference {name} ({list}). After the swap they would point at the old table. Pass --repoint-foreign-keys to re-create them on the new table at cut-over (NOT VALID, then VALIDATE), or drop them first.");
        }

        if (table.DependentViews.Count > 0)
        {
            throw new PreflightRefusedException(
                RefusalReason.DependentViews,
                $"Views depend on {name} ({string.Join(", ", table.DependentViews)}); after the swap they would read the old table. Drop them and re-create them after the change.");
        }

        if (table.RowSecurity)
        {
            throw new PreflightRefusedException(RefusalReason.UnsupportedTable, $"{name} has row-level security enabled; its policies would not follow the swap.");
        }

        if (table.AutoPublications.Count > 0)
        {
            throw new PreflightRefusedException(
                RefusalReason.UnsupportedTable,
                $"Publications {string.Join(", ", table.AutoPublications)} publish every table of schema {table.Schema} (FOR ALL TABLES or FOR TABLES IN SCHEMA): the shadow and helper tables would be replicated too and break the subscribers, which do not have them. Run in a schema those publications do not cover, or alter the table natively.");
        }

        var publications = table.Publications.Where(p => p != PgLogicalNames.Publication(new TableName(table.Schema, table.Name))).ToList();
        if (publications.Count > 0)
        {
            throw new PreflightRefusedException(
                RefusalReason.UnsupportedTable,
                $"{name} is listed in publications ({string.Join(", ", publications)}); the new table would not be. Remove it from them first (ALTER PUBLICATION … DROP TABLE) and add it back after.");
        }
    }

    // The current time is stable within a statement but not across the copy's chunks and the
    // appliers' changes; SQL's time keywords are not function calls in the catalog.
    private static readonly string[] TimeFunctions = ["now", "statement_timestamp", "transaction_timestamp"];
    private static readonly string[] TimeKeywords = ["current_date", "current_time", "current_timestamp", "localtime", "localtimestamp"];

    private const string VolatileSql = """
        SELECT DISTINCT p.proname::text FROM pg_catalog.pg_proc p
        WHERE p.proname::text = ANY($1::text[]) AND (p.provolatile = 'v' OR p.proname::text = ANY($2::text[]))
        ORDER BY 1
        """;

    /// <summary>
    /// Refuses a USING expression whose value depends on when it is evaluated (a volatile function,
    /// the current time): the server's ALTER evaluates it once per row in one statement, the copy
    /// per chunk and the appliers again per change, so the rows could not get the server's values and
    /// verification could never agree. Functions are found by name (a name with any volatile overload
    /// counts); PostgreSQL itself refuses subqueries, aggregates and set-returning functions in USING.
    /// </summary>
    public static async Task CheckUsingAsync(PgSession session, PgMapping mapping, CancellationToken cancellationToken)
    {
        foreach (var column in mapping.Copied.Where(c => c.Using is not null))
        {
            var tokens = PgLexer.Tokenize(column.Using!).Where(t => !t.IsTrivia).ToList();
            var called = tokens.Where((t, i) => t.Kind == SqlTokenKind.Word && i + 1 < tokens.Count && tokens[i + 1].Text == "(")
                .Select(t => t.IdentifierValue!).Distinct(StringComparer.Ordinal).ToArray();
            var found = tokens.Where(t => TimeKeywords.Any(t.IsWord)).Select(t => t.Text.ToLowerInvariant()).ToList();
            if (called.Length > 0)
            {
                foreach (var row in await session.QueryAsync(VolatileSql, [called, TimeFunctions], cancellationToken).ConfigureAwait(false))
                {
                    found.Add((string)row[0]!);
                }
            }

            if (found.Count > 0)
            {
                throw new PreflightRefusedException(
                    RefusalReason.AlterRejected,
                    $"The USING expression of column {column.SourceName} depends on when it runs ({string.Join(", ", found.Distinct(StringComparer.Ordinal))}): the copy and the change capture evaluate it at many moments, the server's ALTER at one, so the rows could not be made equal. Compute the value from the row's own columns, or run the ALTER directly. Nothing was changed.");
            }
        }
    }

    private const string LogicalSql = """
        SELECT pg_catalog.current_setting('wal_level'),
               pg_catalog.current_setting('max_replication_slots')::int - (SELECT count(*) FROM pg_catalog.pg_replication_slots),
               pg_catalog.current_setting('max_wal_senders')::int - (SELECT count(*) FROM pg_catalog.pg_stat_replication),
               (SELECT r.rolreplication OR r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = current_user),
               pg_catalog.has_database_privilege(pg_catalog.current_database(), 'CREATE')
        """;

    /// <summary>What logical capture needs from the server, checked read-only.</summary>
    public static async Task CheckLogicalAsync(PgSession session, PgTable table, PgCaptureOptions options, bool needsNewSlot, CancellationToken cancellationToken)
    {
        var r = (await session.QueryAsync(LogicalSql, null, cancellationToken).ConfigureAwait(false))[0];
        if ((string)r[0]! != "logical")
        {
            throw new PreflightRefusedException(RefusalReason.CaptureUnavailable, $"--capture logical needs wal_level = logical (it is {(string)r[0]!}). Set it in postgresql.conf and restart, or use --capture trigger.");
        }

        // A resumed run streams from its existing slot.
        if (needsNewSlot && Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture) < 1)
        {
            throw new PreflightRefusedException(RefusalReason.CaptureUnavailable, "No free replication slot (max_replication_slots is used up). Drop an unused slot or raise max_replication_slots, or use --capture trigger.");
        }

        if (Convert.ToInt64(r[2], System.Globalization.CultureInfo.InvariantCulture) < 1)
        {
            throw new PreflightRefusedException(RefusalReason.CaptureUnavailable, "No free WAL sender (max_wal_senders is used up). Raise max_wal_senders, or use --capture trigger.");
        }

        if (r[3] is not true)
        {
            throw new PreflightRefusedException(RefusalReason.MissingPrivileges, "--capture logical needs the REPLICATION attribute: ALTER ROLE <role> REPLICATION, or use --capture trigger.");
        }

        if (r[4] is not true)
        {
            throw new PreflightRefusedException(RefusalReason.MissingPrivileges, "--capture logical creates a publication, which needs CREATE on the database: GRANT CREATE ON DATABASE … TO <role>.");
        }

        var name = $"{table.Schema}.{table.Name}";
        switch (table.ReplicaIdentity)
        {
            case "n":
                throw new PreflightRefusedException(RefusalReason.CaptureUnavailable, $"{name} has REPLICA IDENTITY NOTHING: once published, its UPDATEs and DELETEs would fail. Set REPLICA IDENTITY DEFAULT (with a primary key) or USING INDEX, or use --capture trigger.");
            case "d" when !table.Indexes.Any(i => i.IsPrimary):
                throw new PreflightRefusedException(RefusalReason.CaptureUnavailable, $"{name} has no primary key, so its default replica identity is empty: once published, its UPDATEs and DELETEs would fail. Add a primary key or set REPLICA IDENTITY USING INDEX, or use --capture trigger.");
            case "f" when !options.AllowReplicaIdentityFull:
                throw new PreflightRefusedException(RefusalReason.CaptureUnavailable, $"{name} has REPLICA IDENTITY FULL: every update writes the whole old row to WAL. Pass --allow-replica-identity-full to accept that, or use --capture trigger.");
        }
    }
}
