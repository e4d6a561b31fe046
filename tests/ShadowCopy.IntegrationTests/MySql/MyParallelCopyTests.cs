using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// --threads N on MariaDB: worker sessions copy planned key ranges while four writers keep going
/// (and, in binlog mode, while the applier applies); the result equals the control table.
/// </summary>
[Collection("mysql")]
public sealed class MyParallelCopyTests
{
    private readonly ITestOutputHelper _output;

    public MyParallelCopyTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task Alter_with_three_copy_threads_and_four_writers_matches_control(CaptureMode capture)
    {
        var name = MyServer.UniqueName("par");
        var layout = new MyTableLayout(name);
        try
        {
            var run = await MyLoadRun.ExecuteAsync(
                layout,
                30_000,
                MyAlterHarness.Options(name, "ADD COLUMN note VARCHAR(40) DEFAULT 'n/a', MODIFY n BIGINT NOT NULL") with { Threads = 3, MaxRowsPerSecond = 30_000 },
                capture);
            _output.WriteLine($"{capture}: {run}");
            run.AssertSucceeded(await layout.DiffAsync());
            Assert.True(run.Result.ChunksVerified >= 3, $"{run.Result.ChunksVerified} chunks");
            if (capture == CaptureMode.Binlog)
            {
                Assert.True(run.Result.ChangesApplied > 0, "no binlog change was applied: the writers did not overlap the copy");
            }

            var control = await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Control));
            var table = await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Table));
            Assert.True(control == table, $"checksums differ: {control} vs {table}\n{await layout.DiffAsync()}");
        }
        finally
        {
            await MyServer.DropAsync(name);
        }
    }
}
