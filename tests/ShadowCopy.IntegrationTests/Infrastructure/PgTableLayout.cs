namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>
/// The test table and its control twin, with (quoted) column names, so the same workload runs
/// over ordinary and hostile names.
/// </summary>
internal sealed record PgTableLayout(string Schema, string TableName, string ControlName, string IdName = "id", string EmailName = "email", string NName = "n", string DocName = "doc", string AtName = "at", string AmountName = "amount", string BodyName = "body")
{
    public string Table => $"{PgServer.Q(Schema)}.{PgServer.Q(TableName)}";

    public string Control => $"{PgServer.Q(Schema)}.{PgServer.Q(ControlName)}";

    public string Id => PgServer.Q(IdName);

    public string Email => PgServer.Q(EmailName);

    public string N => PgServer.Q(NName);

    public string Doc => PgServer.Q(DocName);

    public string At => PgServer.Q(AtName);

    public string Amount => PgServer.Q(AmountName);

    public string Body => PgServer.Q(BodyName);

    /// <summary>Creates both tables and seeds <paramref name="rows"/> identical rows (ids 1..rows).</summary>
    public async Task CreateAsync(long rows)
    {
        var columns = $"{Email} text, {N} integer NOT NULL DEFAULT 0, {Doc} jsonb, {At} timestamptz, {Amount} numeric(12,2), {Body} text";
        await PgServer.ExecAsync($"""
            CREATE TABLE {Table} ({Id} bigserial PRIMARY KEY, {columns});
            CREATE UNIQUE INDEX ON {Table} ({Email});
            CREATE INDEX ON {Table} ({N}) WHERE {N} > 500;
            CREATE TABLE {Control} ({Id} bigint PRIMARY KEY, {columns});
            INSERT INTO {Table} ({Id}, {Email}, {N}, {Doc}, {At}, {Amount}, {Body})
              SELECT g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'seed' || g || '@example.com' END, g % 1000,
                     CASE WHEN g % 5 = 0 THEN NULL ELSE jsonb_build_object('g', g, 'tag', 'ñ€✓') END,
                     timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second 1 microsecond',
                     CASE WHEN g % 3 = 0 THEN NULL ELSE g * 1.25 END,
                     CASE WHEN g % 11 = 0 THEN NULL ELSE repeat('é', g % 50) END
              FROM generate_series(1, {rows}) g;
            SELECT setval(pg_get_serial_sequence('{Table.Replace("'", "''", StringComparison.Ordinal)}', '{IdName.Replace("'", "''", StringComparison.Ordinal)}'), {rows});
            INSERT INTO {Control} SELECT * FROM {Table};
            ANALYZE {Table};
            """);
    }

    /// <summary>Checksum of the original columns (n compared as bigint, the widest shape it takes).</summary>
    public string ChecksumSql(string table) =>
        $"SELECT count(*)::text || ':' || coalesce(sum(hashtextextended(ROW({Id}, {Email}, {N}::bigint, {Doc}, {At}, {Amount}, {Body})::text, 0)::numeric), 0)::text FROM {table}";
}
