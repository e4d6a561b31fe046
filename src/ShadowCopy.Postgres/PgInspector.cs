using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Verify;

namespace ShadowCopy.Postgres;

/// <summary>Reads a table's shape from the catalog. Read-only.</summary>
internal static class PgInspector
{
    private const string TableSql = """
        SELECT c.oid, c.relkind::text, c.relpersistence::text, pg_catalog.pg_get_userbyid(c.relowner),
               pg_catalog.pg_has_role(c.relowner, 'USAGE'), pg_catalog.has_schema_privilege(n.oid, 'CREATE'),
               c.reltuples::float8, pg_catalog.pg_table_size(c.oid), c.relrowsecurity, c.relispartition,
               EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid OR i.inhparent = c.oid),
               coalesce(c.reloptions, '{}'::text[]), c.relreplident::text, t.spcname,
               pg_catalog.obj_description(c.oid, 'pg_class')
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_catalog.pg_tablespace t ON t.oid = c.reltablespace
        WHERE n.nspname = $1 AND c.relname = $2
        """;

    private const string ColumnsSql = """
        SELECT a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
               a.attgenerated::text, a.attidentity::text,
               CASE WHEN a.attcollation <> 0 THEN a.attcollation::regcollation::text END,
               CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(d.adbin, d.adrelid) END
        FROM pg_catalog.pg_attribute a
        LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum
        """;

    private const string IndexesSql = """
        SELECT i.indexrelid, ic.relname, i.indisprimary, i.indisunique, i.indisvalid, i.indpred IS NOT NULL,
               (SELECT pg_catalog.array_agg(k ORDER BY o) FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(k, o) WHERE o <= i.indnkeyatts),
               pg_catalog.pg_get_indexdef(i.indexrelid), con.contype::text, con.conname,
               pg_catalog.pg_get_constraintdef(con.oid), coalesce(con.condeferrable, false), i.indisreplident
        FROM pg_catalog.pg_index i
        JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
        LEFT JOIN pg_catalog.pg_constraint con
               ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
        WHERE i.indrelid = $1
        ORDER BY ic.relname
        """;

    private const string SequencesSql = """
        SELECT d.refobjsubid::int2, sn.nspname, s.relname, d.deptype::text
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_catalog.pg_namespace sn ON sn.oid = s.relnamespace
        WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
          AND d.refobjid = $1 AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i')
        ORDER BY d.refobjsubid
        """;

    // Columns of both sides by name and number, and the pieces of the ON/MATCH/DEFERRABLE tail.
    private const string ForeignKeysSql = """
        SELECT con.conname, cn.nspname, cc.relname,
               ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, o)
                     JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.o),
               con.conkey,
               pn.nspname, pc.relname,
               ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(n, o)
                     JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.o),
               con.confkey,
               con.confmatchtype::text, con.confupdtype::text, con.confdeltype::text, con.condeferrable, con.condeferred
        FROM pg_catalog.pg_constraint con
        JOIN pg_catalog.pg_class cc ON cc.oid = con.conrelid
        JOIN pg_catalog.pg_namespace cn ON cn.oid = cc.relnamespace
        JOIN pg_catalog.pg_class pc ON pc.oid = con.confrelid
        JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
        WHERE con.contype = 'f' AND {0}
        ORDER BY con.conname
        """;

    private const string ViewsSql = """
        SELECT DISTINCT v.oid::regclass::text
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
        JOIN pg_catalog.pg_class v ON v.oid = r.ev_class
        WHERE d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.refclassid = 'pg_catalog.pg_class'::regclass
          AND d.refobjid = $1 AND v.oid <> $1
        ORDER BY 1
        """;

    private const string TriggersSql = """
        SELECT t.tgname FROM pg_catalog.pg_trigger t WHERE t.tgrelid = $1 AND NOT t.tgisinternal ORDER BY 1
        """;

    private const string PublicationsSql = """
        SELECT p.pubname FROM pg_catalog.pg_publication p
        JOIN pg_catalog.pg_publication_rel pr ON pr.prpubid = p.oid
        WHERE pr.prrelid = $1 ORDER BY 1
        """;

    // FOR TABLES IN SCHEMA exists from PostgreSQL 15 (pg_publication_namespace).
    private const string AutoPublicationsSql = """
        SELECT p.pubname FROM pg_catalog.pg_publication p WHERE p.puballtables
        UNION
        SELECT p.pubname FROM pg_catalog.pg_publication p
        WHERE pg_catalog.current_setting('server_version_num')::int >= 150000
          AND p.oid IN (SELECT pn.pnpubid FROM pg_catalog.pg_publication_namespace pn
                        JOIN pg_catalog.pg_namespace n ON n.oid = pn.pnnspid WHERE n.nspname = $1)
        ORDER BY 1
        """;

    // Every type a row's binary form reaches: the columns' types, and through domains, arrays,
    // composites, ranges and multiranges the types inside them. record_send fails on any of them
    // without a send function (aclitem, gtsvector, some extension types). PostgreSQL 14+ only
    // (pg_range.rngmultitypid).
    private const string TypesWithoutSendSql = """
        WITH RECURSIVE t(oid) AS (
            SELECT a.atttypid FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = $1 AND a.attname::text = ANY($2::text[]) AND a.attnum > 0 AND NOT a.attisdropped
          UNION
            SELECT x.oid FROM t JOIN pg_catalog.pg_type ty ON ty.oid = t.oid
            CROSS JOIN LATERAL (
                SELECT ty.typbasetype UNION ALL SELECT ty.typelem
                UNION ALL SELECT a.atttypid FROM pg_catalog.pg_attribute a WHERE a.attrelid = ty.typrelid AND a.attnum > 0 AND NOT a.attisdropped
                UNION ALL SELECT r.rngsubtype FROM pg_catalog.pg_range r WHERE r.rngtypid = ty.oid
                UNION ALL SELECT r.rngtypid FROM pg_catalog.pg_range r WHERE r.rngmultitypid = ty.oid) AS x(oid)
            WHERE x.oid <> 0)
        SELECT pg_catalog.format_type(ty.oid, NULL) FROM t JOIN pg_catalog.pg_type ty ON ty.oid = t.oid
        WHERE ty.typsend = 0
        ORDER BY 1
        """;

    /// <summary>
    /// The row hash the checksums can use over these columns of a table (ADR 0015): the binary form
    /// from PostgreSQL 14 when every type in the row has a send function, else the text form.
    /// </summary>
    public static async Task<PgRowHash> RowHashAsync(PgSession session, uint table, IReadOnlyList<string> columns, CancellationToken cancellationToken)
    {
        var version = await session.ScalarAsync<int>("SELECT pg_catalog.current_setting('server_version_num')::int", null, cancellationToken).ConfigureAwait(false);
        if (version < 140000)
        {
            return PgRowHash.Text;
        }

        var withoutSend = await session.QueryAsync(TypesWithoutSendSql, [table, columns.ToArray()], cancellationToken).ConfigureAwait(false);
        return withoutSend.Count == 0 ? PgRowHash.Binary : PgRowHash.Text;
    }

    public static async Task<PgTable?> ReadAsync(PgSession session, TableName table, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(TableSql, [table.Schema, table.Name], cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return null;
        }

        var r = rows[0];
        var oid = (uint)r[0]!;
        var columns = (await session.QueryAsync(ColumnsSql, [oid], cancellationToken).ConfigureAwait(false))
            .Select(c => new PgColumn((short)c[0]!, (string)c[1]!, (string)c[2]!, (bool)c[3]!, (string)c[4]!, (string)c[5]!, (string?)c[6], (string?)c[7]))
            .ToList();
        var indexes = (await session.QueryAsync(IndexesSql, [oid], cancellationToken).ConfigureAwait(false))
            .Select(i => new PgIndex(
                (uint)i[0]!, (string)i[1]!, (bool)i[2]!, (bool)i[3]!, (bool)i[4]!, (bool)i[5]!,
                (short[]?)i[6] ?? [], (string)i[7]!, (string?)i[8], (string?)i[9], (string?)i[10], (bool)i[11]!, (bool)i[12]!))
            .ToList();
        var sequences = (await session.QueryAsync(SequencesSql, [oid], cancellationToken).ConfigureAwait(false))
            .Select(s => new PgSequenceLink((short)s[0]!, (string)s[1]!, (string)s[2]!, (string)s[3]!))
            .ToList();
        var outgoing = await ForeignKeysAsync(session, "con.conrelid = $1", oid, cancellationToken).ConfigureAwait(false);
        var incoming = await ForeignKeysAsync(session, "con.confrelid = $1 AND con.conrelid <> $1", oid, cancellationToken).ConfigureAwait(false);
        var views = await StringsAsync(session, ViewsSql, oid, cancellationToken).ConfigureAwait(false);
        var triggers = await StringsAsync(session, TriggersSql, oid, cancellationToken).ConfigureAwait(false);
        var publications = await StringsAsync(session, PublicationsSql, oid, cancellationToken).ConfigureAwait(false);

        var reltuples = (double)r[6]!;
        var estimate = (long)Math.Max(0, reltuples);
        if (reltuples < 0)
        {
            // Never analyzed (PostgreSQL 14+ says -1): count, so progress and ETA mean something.
            estimate = await session.ScalarAsync<long>(
                $"SELECT count(*) FROM {PgDialect.Instance.Qualified(table)}", null, cancellationToken).ConfigureAwait(false);
        }

        return new PgTable(
            oid, table.Schema, table.Name, (string)r[1]!, (string)r[2]!, (string)r[3]!, (bool)r[4]!, (bool)r[5]!,
            estimate, (long)r[7]!, (bool)r[8]!, (bool)r[9]!, (bool)r[10]!, (string[])r[11]!, (string)r[12]!,
            (string?)r[13], (string?)r[14], columns, indexes, sequences, outgoing, incoming, views, triggers, publications)
        {
            AutoPublications = (await session.QueryAsync(AutoPublicationsSql, [table.Schema], cancellationToken).ConfigureAwait(false)).Select(x => (string)x[0]!).ToList(),
        };
    }

    private static async Task<IReadOnlyList<string>> StringsAsync(PgSession session, string sql, uint oid, CancellationToken cancellationToken) =>
        (await session.QueryAsync(sql, [oid], cancellationToken).ConfigureAwait(false)).Select(x => (string)x[0]!).ToList();

    private static readonly System.Text.CompositeFormat ForeignKeysFormat = System.Text.CompositeFormat.Parse(ForeignKeysSql);

    private static async Task<IReadOnlyList<PgForeignKey>> ForeignKeysAsync(PgSession session, string filter, uint oid, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, ForeignKeysFormat, filter), [oid], cancellationToken).ConfigureAwait(false);
        return rows.Select(f => new PgForeignKey(
            (string)f[0]!, (string)f[1]!, (string)f[2]!, (string[])f[3]!, (short[])f[4]!,
            (string)f[5]!, (string)f[6]!, (string[])f[7]!, (short[])f[8]!,
            ForeignKeyTail((string)f[9]!, (string)f[10]!, (string)f[11]!, (bool)f[12]!, (bool)f[13]!))).ToList();
    }

    /// <summary>MATCH / ON UPDATE / ON DELETE / DEFERRABLE clauses (pg_constraint codes, PostgreSQL docs §53.13).</summary>
    internal static string ForeignKeyTail(string match, string onUpdate, string onDelete, bool deferrable, bool deferred)
    {
        static string Action(string code) => code switch
        {
            "r" => "RESTRICT",
            "c" => "CASCADE",
            "n" => "SET NULL",
            "d" => "SET DEFAULT",
            _ => "NO ACTION",
        };

        var tail = match == "f" ? " MATCH FULL" : string.Empty;
        tail += $" ON UPDATE {Action(onUpdate)} ON DELETE {Action(onDelete)}";
        if (deferrable)
        {
            tail += deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
        }

        return tail;
    }
}
