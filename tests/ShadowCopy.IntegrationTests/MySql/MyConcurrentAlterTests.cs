using ShadowCopy.Core.Engine;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// The central promise on MariaDB, in both capture modes: four writers keep going during copy and
/// cut-over, and afterwards the table has the new shape and, over the original columns, exactly
/// the rows of a control table written in the same transactions.
/// </summary>
[Collection("mysql")]
public sealed class MyConcurrentAlterTests
{
    private const long SeedRows = 30_000;
    private readonly ITestOutputHelper _output;

    public MyConcurrentAlterTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(CaptureMode.Trigger)]
    [InlineData(CaptureMode.Binlog)]
    public async Task Alter_FourWritersDuringCopyAndCutOver_TableMatchesControlByChecksum(CaptureMode capture)
    {
        var name = MyServer.UniqueName("conc");
        var layout = new MyTableLayout(name);
        try
        {
            await layout.CreateAsync(SeedRows);
            await using var load = new MyWriterLoad(layout, writers: 4);
            await load.StartAsync(SeedRows);
            await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
            load.StartRecordingLatency();
            var sink = new RecordingStatusSink();
            var result = await MyAlterHarness.RunAsync(
                MyAlterHarness.Options(name, "ADD COLUMN note VARCHAR(40) DEFAULT 'n/a', MODIFY n BIGINT NOT NULL, MODIFY email VARCHAR(200) NULL, ADD INDEX idx_amount (amount), MODIFY status VARCHAR(20) CHARACTER SET utf8mb4 NULL"),
                capture,
                sink);
            var p99 = load.LatencyPercentile(0.99);
            var atSwap = load.Operations;
            await load.WaitForOperationsAsync(atSwap + 200, TimeSpan.FromSeconds(30));
            await load.StopAsync();
            _output.WriteLine($"{capture}: exit {result.ExitCode}, copied {result.RowsCopied}, applied {result.ChangesApplied}, verified {result.ChunksVerified} chunks, writer p99 {p99:0.0} ms, p50 {load.LatencyPercentile(0.5):0.0} ms, deadlocks {load.Deadlocks}, ops {load.Operations}");

            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
            Assert.True(load.Operations > atSwap + 100, $"writers made too little progress after the swap ({load.Operations - atSwap})");
            Assert.True(result.ChunksVerified > 1);
            Assert.Contains(Phase.Verifying, sink.Phases);
            if (capture == CaptureMode.Binlog)
            {
                Assert.True(result.ChangesApplied > 0, "no binlog change was applied: the writers did not overlap the copy");
            }

            Assert.Equal(
                await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)),
                await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)));
            var create = await MyServer.ScalarAsync($"SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {MyServer.Lit(MyServer.Database)} AND TABLE_NAME = {MyServer.Lit(name)} AND COLUMN_NAME = 'n'");
            Assert.StartsWith("bigint", create);
            Assert.Equal("n/a", await MyServer.ScalarAsync($"SELECT note FROM {layout.Table} ORDER BY id LIMIT 1"));
            // Helpers gone; the old table kept (no --drop-old-table).
            Assert.Equal(new[] { $"_{name}_old", name, name + "_ctl" }.Order(StringComparer.Ordinal), (await MyServer.ObjectsAsync(name)).Order(StringComparer.Ordinal));
        }
        finally
        {
            await MyServer.DropAsync(name);
        }
    }
}
