using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.Postgres;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Verify;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// The verification checksums themselves (ADR 0015), both row hashes: an exact copy (with a key
/// widened from integer to bigint) compares equal, and each kind of difference a lost or wrong
/// change could leave is caught, including the ones a per-column hash would miss.
/// </summary>
[Collection("postgres")]
public sealed class PgChecksumTests
{
    public static TheoryData<string, string> Differences() => new()
    {
        { "changed value", "UPDATE {0} SET a = 'A' WHERE id = 2" },
        { "bigint changed to a value with the same 32-bit fold", "UPDATE {0} SET big = 4294967297 WHERE id = 1" },
        { "numeric 1.0 -> 1.00", "UPDATE {0} SET n = 1.00 WHERE id = 1" },
        { "jsonb number 1.0 -> 1.00", "UPDATE {0} SET jb = '{{\"x\": 1.00}}' WHERE id = 1" },
        { "json text", "UPDATE {0} SET js = '{{\"x\":1}}' WHERE id = 1" },
        { "float -0 -> 0", "UPDATE {0} SET f = 0 WHERE id = 1" },
        { "interval 1 day -> 24 hours", "UPDATE {0} SET iv = '24 hours' WHERE id = 1" },
        { "timestamptz by a microsecond", "UPDATE {0} SET ts = ts + interval '1 microsecond' WHERE id = 3" },
        { "NULL -> empty string", "UPDATE {0} SET b = '' WHERE id = 1" },
        { "NULL -> 'NULL'", "UPDATE {0} SET b = 'NULL' WHERE id = 1" },
        { "empty string -> NULL", "UPDATE {0} SET a = NULL WHERE id = 3" },
        { "values swapped between columns", "UPDATE {0} SET a = b, b = a WHERE id = 2" },
        { "values swapped between rows", "UPDATE {0} t SET a = CASE t.id WHEN 2 THEN 'row4' ELSE 'row2' END WHERE t.id IN (2, 4)" },
        { "array element", "UPDATE {0} SET arr = '{{1,2,4}}' WHERE id = 2" },
        { "missing row", "DELETE FROM {0} WHERE id = 4" },
        { "extra row", "INSERT INTO {0} (id, a) VALUES (100, 'extra')" },
    };

    [Theory]
    [MemberData(nameof(Differences))]
    public async Task Checksums_DifferenceInShadow_Detected(string difference, string change)
    {
        foreach (var rowHash in new[] { PgRowHash.Text, PgRowHash.Binary })
        {
            await using var schema = await PgSchemaScope.CreateAsync();
            var sql = await CreatePairAsync(schema, rowHash);
            await using var session = await PgSession.OpenAsync(PgServer.Settings(), new SqlTranscript(), CancellationToken.None);
            Assert.Equal(await ChecksumAsync(session, sql.SourceChecksum(false, false)), await ChecksumAsync(session, sql.ShadowChecksum(false, false)));

            await PgServer.ExecAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, change, schema.Table("_t_new")));

            var source = await ChecksumAsync(session, sql.SourceChecksum(false, false));
            var shadow = await ChecksumAsync(session, sql.ShadowChecksum(false, false));
            Assert.True(source != shadow, $"{rowHash}: {difference} not detected ({source})");
        }
    }

    [Fact]
    public async Task RowHash_TypeWithoutSendFunctionInsideAnArray_FallsBackToText()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        await PgServer.ExecAsync($"CREATE TABLE {schema.Table("plain")} (id int PRIMARY KEY, v text, r int4range); CREATE TABLE {schema.Table("acl")} (id int PRIMARY KEY, v aclitem[])");
        await using var session = await PgSession.OpenAsync(PgServer.Settings(), new SqlTranscript(), CancellationToken.None);
        var plain = (await PgInspector.ReadAsync(session, new TableName(schema.Name, "plain"), CancellationToken.None))!;
        var acl = (await PgInspector.ReadAsync(session, new TableName(schema.Name, "acl"), CancellationToken.None))!;

        // The local server is 15: the binary form applies unless a type cannot be sent.
        Assert.Equal(PgRowHash.Binary, await PgInspector.RowHashAsync(session, plain.Oid, ["id", "v", "r"], CancellationToken.None));
        Assert.Equal(PgRowHash.Text, await PgInspector.RowHashAsync(session, acl.Oid, ["id", "v"], CancellationToken.None));
        Assert.Equal(PgRowHash.Binary, await PgInspector.RowHashAsync(session, acl.Oid, ["id"], CancellationToken.None));
    }

    /// <summary>Original t (integer key) and an exact copy _t_new with the key widened to bigint.</summary>
    private static async Task<PgStatements> CreatePairAsync(PgSchemaScope schema, PgRowHash rowHash)
    {
        await PgServer.ExecAsync($$"""
            CREATE TABLE {{schema.Table("t")}} (
              id integer PRIMARY KEY, a text, b text, big bigint, n numeric, jb jsonb, js json, f float8,
              iv interval, ts timestamptz, arr integer[]);
            INSERT INTO {{schema.Table("t")}} VALUES
              (1, 'x', NULL, 0, 1.0, '{"x": 1.0}', '{"x": 1}', '-0', '1 day', '2024-01-01 00:00:00.5+00', NULL),
              (2, 'row2', 'other', 5, 2, '[]', '[]', 1.5, '1 hour', NULL, '{1,2,3}'),
              (3, '', 'z', NULL, NULL, NULL, NULL, NULL, NULL, '2024-06-01 12:00:00.123456+00', '{}'),
              (4, 'row4', 'q', -1, 0, '{}', '{}', 'NaN', '0', 'infinity', '{NULL}');
            CREATE TABLE {{schema.Table("_t_new")}} (LIKE {{schema.Table("t")}});
            ALTER TABLE {{schema.Table("_t_new")}} ALTER COLUMN id TYPE bigint, ADD PRIMARY KEY (id);
            INSERT INTO {{schema.Table("_t_new")}} SELECT * FROM {{schema.Table("t")}};
            """);
        await using var session = await PgSession.OpenAsync(PgServer.Settings(), new SqlTranscript(), CancellationToken.None);
        var source = (await PgInspector.ReadAsync(session, new TableName(schema.Name, "t"), CancellationToken.None))!;
        var shadow = (await PgInspector.ReadAsync(session, new TableName(schema.Name, "_t_new"), CancellationToken.None))!;
        var mapping = PgMapping.Build(source, shadow);
        Assert.Contains(mapping.Copied, c => c.TypeChanged);
        return new PgStatements(new TableName(schema.Name, "t"), HelperObjectNames.For("t", 63), mapping, [], rowHash);
    }

    private static async Task<string> ChecksumAsync(PgSession session, string sql)
    {
        var row = (await session.QueryAsync(sql, null, CancellationToken.None))[0];
        return $"{row[0]}:{row[1]}";
    }
}
