using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// The shadow is copied with its key and unique indexes only; the other indexes are built after the
/// copy (ADR 0035). The swapped table must end with exactly the indexes and constraints a blocking
/// ALTER TABLE of the same table would have left: names, definitions (expression, partial, INCLUDE,
/// DESC, operator class, access method) and flags.
/// </summary>
[Collection("postgres")]
public sealed class PgAlterDeferredIndexTests
{
    private const long SeedRows = 20_000;
    private const string Alter = "ALTER COLUMN n TYPE bigint, ADD COLUMN note text";

    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Alter_ManyKindsOfIndexes_SameIndexesAsABlockingAlterAndRowsMatchControl(string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        await using var oracle = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        var twin = new PgTableLayout(oracle.Name, "orders", "orders_control");
        await layout.CreateAsync(SeedRows);
        await twin.CreateAsync(1);
        foreach (var l in new[] { layout, twin })
        {
            await PgServer.ExecAsync(ExtraIndexes(l));
        }

        // The oracle: the same table shape, changed by PostgreSQL itself.
        await PgServer.ExecAsync($"ALTER TABLE {twin.Table} {Alter}");

        await using var load = new PgWriterLoad(layout, writers: 4);
        await load.StartAsync(SeedRows);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "orders", Alter), capture: PgAlterHarness.Logical with { Mode = capture });
        await load.StopAsync();

        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
        Assert.True(result.ChangesApplied > 0, "the writers did not overlap the copy");
        Assert.Equal(
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));

        var expected = await IndexesAsync(oracle.Name);
        Assert.Equal(9, expected.Count(l => l.StartsWith("index ", StringComparison.Ordinal)));
        Assert.Equal(expected, await IndexesAsync(schema.Name));
        await PgConcurrentAlterTests.AssertNoHelpersAsync(schema.Name, "orders");

        // No ANALYZE after the swap any more: the statistics taken of the shadow after its copy
        // (columns and the expression index) must have come along with the rename.
        var literal = schema.Name.Replace("'", "''", StringComparison.Ordinal);
        Assert.Equal(
            ["lower", "n", "note"],
            await PgConcurrentAlterTests.NamesAsync($"""
                SELECT attname::text FROM pg_stats WHERE schemaname = '{literal}' AND tablename IN ('orders', 'orders_lower_email_idx') AND attname::text IN ('n', 'note', 'lower') ORDER BY 1
                """));
    }

    /// <summary>Beyond the layout's key, unique index on email and partial index on n.</summary>
    private static string ExtraIndexes(PgTableLayout l) => $"""
        CREATE INDEX orders_lower_email_idx ON {l.Table} (lower({l.Email}));
        CREATE INDEX orders_at_desc_idx ON {l.Table} ({l.At} DESC NULLS LAST, {l.Id}) INCLUDE ({l.Amount});
        CREATE INDEX orders_doc_gin ON {l.Table} USING gin ({l.Doc} jsonb_path_ops);
        CREATE UNIQUE INDEX orders_n_high_key ON {l.Table} ({l.N}, {l.Id}) WHERE {l.N} > 900;
        CREATE INDEX orders_body_hash ON {l.Table} USING hash ({l.Body});
        ALTER TABLE {l.Table} ADD CONSTRAINT orders_at_id_key UNIQUE ({l.At}, {l.Id});
        """;

    /// <summary>Index definitions (schema name masked), their flags, and the table's constraints, one line each.</summary>
    private static async Task<List<string>> IndexesAsync(string schema)
    {
        var literal = schema.Replace("'", "''", StringComparison.Ordinal);
        var lines = await PgConcurrentAlterTests.NamesAsync($"""
            SELECT 'index ' || indexname || ': ' || replace(indexdef, quote_ident(schemaname) || '.', 'S.') FROM pg_indexes WHERE schemaname = '{literal}' AND tablename = 'orders'
            UNION ALL
            SELECT 'flags ' || c.relname || ': ' || concat_ws(',', i.indisunique, i.indisprimary, i.indimmediate, i.indisclustered, i.indisvalid, i.indisreplident, i.indnullsnotdistinct)
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = '{PgServer.Q(schema).Replace("'", "''", StringComparison.Ordinal)}.orders'::regclass
            UNION ALL
            SELECT 'constraint ' || conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = '{PgServer.Q(schema).Replace("'", "''", StringComparison.Ordinal)}.orders'::regclass
            ORDER BY 1
            """);
        return lines;
    }
}
