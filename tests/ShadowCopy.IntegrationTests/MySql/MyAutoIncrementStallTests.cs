using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// ADR 0008 and 0020: with innodb_autoinc_lock_mode=1 (MariaDB's default), a bulk INSERT … SELECT
/// into the AUTO_INCREMENT shadow holds the table-level AUTO-INC lock, and anything else writing the
/// shadow queues behind it. Neither capture mode lets the application write the shadow (binlog:
/// row events; triggers: a key log the applier re-copies from), and the copy takes no row locks, so
/// writers must neither stall nor see a deadlock or lock-wait error. Measures the writers' p99.
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
        var trigger = await MeasureAsync(CaptureMode.Trigger);
        var binlog = await MeasureAsync(CaptureMode.Binlog);
        _output.WriteLine($"innodb_autoinc_lock_mode={lockMode}; writer p99 during the run: trigger {trigger:0} ms, binlog {binlog:0} ms");

        Assert.True(trigger < 1500, $"trigger mode stalled writers: p99 {trigger:0} ms");
        Assert.True(binlog < 1500, $"binlog mode stalled writers: p99 {binlog:0} ms");
    }

    private async Task<double> MeasureAsync(CaptureMode capture)
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
            var run = await MyLoadRun.ExecuteAsync(layout, SeedRows, options, capture, operationsAfterSwap: 0);
            _output.WriteLine($"{capture}: {run}");
            Assert.True(run.Result.ExitCode == ExitCodes.Success, $"exit {run.Result.ExitCode}: {run.Result.Message}");

            // Issue 16: the capture must never hand the application an error (deadlock 1213, lock wait 1205).
            Assert.True(run.Errors == 0 && run.Deadlocks == 0, $"{capture}: the writers saw {run.Deadlocks} deadlock(s) and {run.Errors} error(s): {run.ErrorMessages}");
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
