using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// --threads N on PostgreSQL: several worker sessions copy planned key ranges while writers keep
/// going; the result still equals a control table by checksum.
/// </summary>
[Collection("postgres")]
public sealed class PgParallelCopyTests
{
    private const long SeedRows = 40_000;

    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Alter_with_three_copy_threads_and_six_writers_matches_control(string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(SeedRows);

        await using var load = new PgWriterLoad(layout, writers: 6);
        await load.StartAsync(SeedRows);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
        var sink = new RecordingStatusSink();
        var result = await PgAlterHarness.RunAsync(
            PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text DEFAULT 'n/a', ALTER COLUMN n TYPE bigint") with { Threads = 3, MaxRowsPerSecond = 30_000 },
            sink: sink,
            capture: PgAlterHarness.Logical with { Mode = capture });
        var atSwap = load.Operations;
        await load.WaitForOperationsAsync(atSwap + 100, TimeSpan.FromSeconds(30));
        await load.StopAsync();

        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
        Assert.True(result.ChangesApplied > 0, "no captured change was applied: the writers did not overlap the copy");
        Assert.True(result.RowsCopied >= SeedRows / 2, $"only {result.RowsCopied} rows copied");
        Assert.True(result.ChunksVerified >= 3, $"{result.ChunksVerified} chunks");
        Assert.True(result.ChunksRecopied == 0, "verification had to re-copy chunks: " + string.Join(" | ", sink.Messages));
        Assert.Equal(
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
    }

    [Fact]
    public async Task Composite_key_ranges_planned_for_four_threads_cover_every_row_once()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var table = schema.Table("items");
        await PgServer.ExecAsync($"""
            CREATE TABLE {table} (tenant integer NOT NULL, code text NOT NULL, qty integer, PRIMARY KEY (tenant, code));
            INSERT INTO {table} SELECT g % 7, 'c' || g, g FROM generate_series(1, 25000) g;
            ANALYZE {table};
            """);
        var checksum = $"SELECT count(*)::text || ':' || sum(hashtextextended(ROW(tenant, code, qty)::text, 0)::numeric)::text FROM {table}";
        var before = await PgServer.ScalarAsync<string>(checksum);

        var result = await PgAlterHarness.RunAsync(
            PgAlterHarness.Options(schema.Name, "items", "ALTER COLUMN qty TYPE bigint") with { Threads = 4, InitialChunkSize = 700, MaxChunkSize = 700, MaxRowsPerSecond = null });

        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.Equal(25_000, result.RowsCopied);
        Assert.True(result.ChunksVerified >= 30, $"{result.ChunksVerified} chunks");
        Assert.Equal(before, await PgServer.ScalarAsync<string>(checksum));
    }
}
