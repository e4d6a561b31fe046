using Npgsql;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.Postgres;
using ShadowCopy.Postgres.Copy;
using ShadowCopy.Postgres.Model;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// The plain-insert copy statements: with rows the applier put ahead of the copy, the anti-join
/// leaves them as they are and the chunks still cover every key; a conflict it does not leave out
/// fails the statement whole, which is what sends the backend to ON CONFLICT.
/// </summary>
[Collection("postgres")]
public sealed class PgPlainCopyTests
{
    [Fact]
    public async Task CopyNextChunkPlain_RowsAheadOfTheCopy_KeptAndSkippedAndEveryKeyCopiedOnce()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        await using var session = await PgSession.OpenAsync(PgServer.Settings(), new SqlTranscript(), CancellationToken.None);
        var sql = await CreatePairAsync(schema, session);
        // The applier's rows: newer values for keys the copy has not reached, including the very
        // last keys of a chunk (100, 200) and of the table (1000).
        await PgServer.ExecAsync($"INSERT INTO {schema.Table("_t_new")} SELECT id, 'applied' FROM {schema.Table("t")} WHERE id IN (5, 100, 101, 200, 650, 999, 1000)");

        string[]? cursor = null;
        var chunks = new List<(long Copied, string[]? Upper)>();
        while (true)
        {
            var present = (await session.QueryAsync(sql.FirstShadowRow(cursor is not null, false), cursor, CancellationToken.None)).Count > 0;
            var args = new List<object?>(cursor ?? []) { 100L };
            var row = (await session.QueryAsync(sql.CopyNextChunkPlain(cursor is not null, present), args, CancellationToken.None))[0];
            var copied = (long)row[0]!;
            Assert.Equal(copied, (long)row[1]!);
            var upper = copied < 100 ? null : new[] { (string)row[2]! };
            chunks.Add((copied, upper));
            cursor = upper;
            if (upper is null)
            {
                break;
            }
        }

        Assert.Equal(1000 - 7, chunks.Sum(c => c.Copied));
        // A chunk ends at the last key it copied: 5, 100 and 101 were there, so the first ends at 103.
        Assert.Equal("103", chunks[0].Upper![0]);
        Assert.Null(chunks[^1].Upper);
        Assert.Equal(1000L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {schema.Table("_t_new")}"));
        Assert.Equal(7L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {schema.Table("_t_new")} WHERE v = 'applied'"));
        Assert.Equal(0L, await PgServer.ScalarAsync<long>(
            $"SELECT count(*) FROM {schema.Table("t")} s JOIN {schema.Table("_t_new")} n USING (id) WHERE n.v <> 'applied' AND n.v IS DISTINCT FROM s.v"));
    }

    [Fact]
    public async Task CopyRangePlain_ConflictOnAnotherUniqueIndex_FailsWholeAndOnConflictCopiesTheRest()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        await using var session = await PgSession.OpenAsync(PgServer.Settings(), new SqlTranscript(), CancellationToken.None);
        var sql = await CreatePairAsync(schema, session);
        await PgServer.ExecAsync($"CREATE UNIQUE INDEX ON {schema.Table("_t_new")} (v); INSERT INTO {schema.Table("_t_new")} VALUES (5000, 'v7')");

        var error = await Assert.ThrowsAsync<PostgresException>(() => session.ExecuteAsync(sql.CopyRangePlain(true, true, true), ["0", "100"], CancellationToken.None));

        Assert.True(PgErrors.IsConflict(error), error.SqlState);
        Assert.Equal(1L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {schema.Table("_t_new")}"));
        Assert.Equal(99L, await session.ExecuteAsync(sql.CopyRange(true, true), ["0", "100"], CancellationToken.None));
    }

    /// <summary>Original t (integer key, 1,000 rows) and an empty shadow _t_new with the key widened to bigint.</summary>
    private static async Task<PgStatements> CreatePairAsync(PgSchemaScope schema, PgSession session)
    {
        await PgServer.ExecAsync($"""
            CREATE TABLE {schema.Table("t")} (id integer PRIMARY KEY, v text);
            INSERT INTO {schema.Table("t")} SELECT g, 'v' || g FROM generate_series(1, 1000) g;
            CREATE TABLE {schema.Table("_t_new")} (id bigint PRIMARY KEY, v text);
            """);
        var source = (await PgInspector.ReadAsync(session, new TableName(schema.Name, "t"), CancellationToken.None))!;
        var shadow = (await PgInspector.ReadAsync(session, new TableName(schema.Name, "_t_new"), CancellationToken.None))!;
        return new PgStatements(new TableName(schema.Name, "t"), HelperObjectNames.For("t", 63), PgMapping.Build(source, shadow), []);
    }
}
