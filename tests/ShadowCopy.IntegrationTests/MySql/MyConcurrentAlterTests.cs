using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
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
            var run = await MyLoadRun.ExecuteAsync(
                layout,
                30_000,
                MyAlterHarness.Options(name, "ADD COLUMN note VARCHAR(40) DEFAULT 'n/a', MODIFY n BIGINT NOT NULL, MODIFY email VARCHAR(200) NULL, ADD INDEX idx_amount (amount), MODIFY status VARCHAR(20) CHARACTER SET utf8mb4 NULL"),
                capture);
            _output.WriteLine($"{capture}: {run}");
            run.AssertSucceeded(await layout.DiffAsync());
            Assert.Contains(Phase.Verifying, run.Sink.Phases);
            if (capture == CaptureMode.Binlog)
            {
                Assert.True(run.Result.ChangesApplied > 0, "no binlog change was applied: the writers did not overlap the copy");
                // The heartbeat row came back through the stream: the status line shows a measured lag.
                Assert.Contains(run.Sink.Statuses, s => s.CaptureDetail is { } d && d.StartsWith("binlog lag ", StringComparison.Ordinal) && !d.Contains("lag ?", StringComparison.Ordinal));
            }

            var control = await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Control));
            var table = await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Table));
            Assert.True(control == table, $"checksums differ: {control} vs {table}\n{await layout.DiffAsync()}");
            var columns = await MyServer.ColumnAsync($"SELECT CONCAT(COLUMN_NAME, ' ', COLUMN_TYPE, ' ', COALESCE(CHARACTER_SET_NAME, '-')) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {MyServer.Lit(MyServer.Database)} AND TABLE_NAME = {MyServer.Lit(name)} ORDER BY ORDINAL_POSITION");
            Assert.Contains("n bigint(20) -", columns);
            Assert.Contains("email varchar(200) utf8mb4", columns);
            Assert.Contains("status varchar(20) utf8mb4", columns);
            Assert.Contains("note varchar(40) utf8mb4", columns);
            Assert.Equal("n/a", await MyServer.ScalarAsync($"SELECT note FROM {layout.Table} ORDER BY id LIMIT 1"));
            Assert.Equal(["PRIMARY", "idx_amount", "idx_n", "uq_email"], await MyServer.ColumnAsync($"SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {MyServer.Lit(MyServer.Database)} AND TABLE_NAME = {MyServer.Lit(name)} ORDER BY BINARY INDEX_NAME"));

            // Helpers gone; the old table kept (no --drop-old-table).
            Assert.Equal(new[] { $"_{name}_old", name, name + "_ctl" }.Order(StringComparer.Ordinal), (await MyServer.ObjectsAsync(name)).Order(StringComparer.Ordinal));
        }
        finally
        {
            await MyServer.DropAsync(name);
        }
    }

    /// <summary>The rest of the alter list, each with writers, in both modes.</summary>
    [Theory]
    [InlineData(CaptureMode.Binlog, "DROP COLUMN label", "NULL", "NULL")]
    [InlineData(CaptureMode.Trigger, "DROP COLUMN label", "NULL", "NULL")]
    [InlineData(CaptureMode.Binlog, "CHANGE COLUMN label tag VARCHAR(30) NULL", "label", "tag")]
    [InlineData(CaptureMode.Trigger, "RENAME COLUMN label TO tag", "label", "tag")]
    [InlineData(CaptureMode.Binlog, "MODIFY label VARCHAR(30) NULL FIRST, MODIFY n INT NOT NULL AFTER label", "label", "label")]
    [InlineData(CaptureMode.Trigger, "MODIFY label VARCHAR(30) NULL FIRST", "label", "label")]
    [InlineData(CaptureMode.Binlog, "ADD UNIQUE KEY uq_label (label)", "label", "label")]
    [InlineData(CaptureMode.Trigger, "ADD UNIQUE KEY uq_label (label)", "label", "label")]
    public async Task Alter_matrix_with_writers_matches_control(CaptureMode capture, string alter, string controlLabel, string tableLabel)
    {
        var name = MyServer.UniqueName("mx");
        var layout = new MyTableLayout(name);
        try
        {
            var run = await MyLoadRun.ExecuteAsync(layout, 10_000, MyAlterHarness.Options(name, alter), capture);
            _output.WriteLine($"{capture} {alter}: {run}");
            run.AssertSucceeded(await layout.DiffAsync());
            var control = await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Control, label: controlLabel));
            var table = await MyServer.ScalarAsync(MyTableLayout.ChecksumSql(layout.Table, label: tableLabel));
            Assert.True(control == table, $"checksums differ: {control} vs {table}\n{await layout.DiffAsync()}");
            Assert.Equal(new[] { $"_{name}_old", name, name + "_ctl" }.Order(StringComparer.Ordinal), (await MyServer.ObjectsAsync(name)).Order(StringComparer.Ordinal));
        }
        finally
        {
            await MyServer.DropAsync(name);
        }
    }
}
