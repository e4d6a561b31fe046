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
            var options = MyAlterHarness.Options(name, "ADD COLUMN note VARCHAR(40) DEFAULT 'n/a'") with
            {
                // Large chunks, no rate limit: the copy is what it would be in production.
                ChunkTime = TimeSpan.FromMilliseconds(500),
                InitialChunkSize = 5000,
                MaxChunkSize = 50_000,
                MaxRowsPerSecond = null,
            };
            var run = await MyLoadRun.ExecuteAsync(layout, SeedRows, options, capture, forceServerSide, operationsAfterSwap: 0);
            _output.WriteLine($"{capture} forceServerSide={forceServerSide}: {run}");
            Assert.True(run.Result.ExitCode == ExitCodes.Success, $"exit {run.Result.ExitCode}: {run.Result.Message}");
            Assert.Equal(
                await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)),
                await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)));
            return run.P99;
        }
        finally
        {
            await MyServer.DropAsync(name);
        }
    }
}
