using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.MySql;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// ADR 0007: with innodb_autoinc_lock_mode=1 (MariaDB's default), a bulk INSERT … SELECT into the
/// AUTO_INCREMENT shadow holds the table-level AUTO-INC lock and trigger inserts queue behind it.
/// Trigger mode therefore copies with multi-row VALUES ("simple inserts"); binlog mode never lets
/// the application write the shadow. This measures the writers' p99 in each arrangement.
/// </summary>
[Collection("mysql")]
public sealed class MyAutoIncrementStallTests
{
    private const long SeedRows = 150_000;
    private readonly ITestOutputHelper _output;

    public MyAutoIncrementStallTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Copy_under_default_autoinc_lock_mode_does_not_stall_writers()
    {
        var lockMode = await MyServer.ScalarAsync("SELECT @@GLOBAL.innodb_autoinc_lock_mode");
        var clientSide = await MeasureAsync(CaptureMode.Trigger, forceServerSide: false);
        var binlog = await MeasureAsync(CaptureMode.Binlog, forceServerSide: false);
        var serverSide = await MeasureAsync(CaptureMode.Trigger, forceServerSide: true);
        _output.WriteLine($"innodb_autoinc_lock_mode={lockMode}; writer p99 during the run: trigger+VALUES copy {clientSide:0} ms, binlog {binlog:0} ms, trigger+INSERT…SELECT copy {serverSide:0} ms");

        Assert.True(clientSide < 1500, $"trigger mode stalled writers: p99 {clientSide:0} ms");
        Assert.True(binlog < 1500, $"binlog mode stalled writers: p99 {binlog:0} ms");
    }

    private async Task<double> MeasureAsync(CaptureMode capture, bool forceServerSide)
    {
        var name = MyServer.UniqueName("autoinc");
        var layout = new MyTableLayout(name);
        try
        {
            await layout.CreateAsync(SeedRows);
            await using var load = new MyWriterLoad(layout, writers: 4);
            await load.StartAsync(SeedRows);
            await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
            load.StartRecordingLatency();
            var options = MyAlterHarness.Options(name, "ADD COLUMN note VARCHAR(40) DEFAULT 'n/a'") with
            {
                // Large chunks, no rate limit: the copy is what it would be in production.
                ChunkTime = TimeSpan.FromMilliseconds(500),
                InitialChunkSize = 5000,
                MaxChunkSize = 50_000,
                MaxRowsPerSecond = null,
            };
            await using var backend = new MySqlAlterBackend(MyServer.Settings(), options, capture, NullLogger.Instance) { ForceServerSideCopy = forceServerSide };
            var result = await new AlterRunner(backend, options, NullStatusSink.Instance, NullLogger.Instance).RunAsync(CancellationToken.None);
            var p99 = load.LatencyPercentile(0.99);
            await load.StopAsync();
            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal(
                await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)),
                await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)));
            _output.WriteLine($"{capture} forceServerSide={forceServerSide}: {result.Duration.TotalSeconds:0.0} s, copied {result.RowsCopied}, ops {load.Operations}, deadlocks {load.Deadlocks}, p50 {load.LatencyPercentile(0.5):0.0} ms, p99 {p99:0.0} ms, max {load.LatencyPercentile(1.0):0} ms");
            return p99;
        }
        finally
        {
            await MyServer.DropAsync(name);
        }
    }
}
