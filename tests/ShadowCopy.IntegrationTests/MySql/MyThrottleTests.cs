using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;
using Xunit.Abstractions;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>Run control on MariaDB, in process: flag file, throttle query, max-load, replica lag, operator chunk size.</summary>
[Collection("mysql")]
public sealed class MyThrottleTests(ITestOutputHelper output)
{
    private const int Rows = 60_000;

    [Fact]
    public async Task Alter_flag_file_holds_the_copy_then_it_completes_with_equal_checksums()
    {
        var flag = Path.Combine(Path.GetTempPath(), $"sc-my-throttle-{Guid.NewGuid():N}");
        var (result, sink, layout) = await RunWithLoadAsync("thrflag", CaptureMode.Trigger, o => o with { ThrottleFlagFile = flag }, async (sink, _) =>
        {
            await WaitForCopyAsync(sink);
            await File.WriteAllTextAsync(flag, "hold");
            await Task.Delay(TimeSpan.FromSeconds(4));
            File.Delete(flag);
        });
        var hold = HeldFor(sink, r => r.Contains(flag, StringComparison.Ordinal));
        output.WriteLine($"flag file: rows copied held at {hold.Rows} for {hold.Duration.TotalSeconds:0.00} s; {result.RowsCopied} copied in total");
        Assert.True(hold.Duration >= TimeSpan.FromSeconds(2), $"held only {hold.Duration}");
        await AssertCompletedAsync(result, layout);
    }

    [Fact]
    public async Task Alter_throttle_query_holds_the_copy_while_it_returns_non_zero()
    {
        var gate = UniqueName("thrq");
        await ExecAsync($"CREATE TABLE {Q(Database)}.{Q(gate)} (id INT PRIMARY KEY, v INT NOT NULL)");
        await ExecAsync($"INSERT INTO {Q(Database)}.{Q(gate)} VALUES (1, 0)");
        try
        {
            var (result, sink, layout) = await RunWithLoadAsync("thrq", CaptureMode.Binlog, o => o with { ThrottleQuery = $"SELECT v FROM {Q(Database)}.{Q(gate)} WHERE id = 1" }, async (sink, _) =>
            {
                await WaitForCopyAsync(sink);
                await ExecAsync($"UPDATE {Q(Database)}.{Q(gate)} SET v = 1");
                await Task.Delay(TimeSpan.FromSeconds(4));
                await ExecAsync($"UPDATE {Q(Database)}.{Q(gate)} SET v = 0");
            });
            var hold = HeldFor(sink, r => r.StartsWith("throttle query returned 1", StringComparison.Ordinal));
            output.WriteLine($"throttle query: rows copied held at {hold.Rows} for {hold.Duration.TotalSeconds:0.00} s; {result.RowsCopied} copied in total");
            Assert.True(hold.Duration >= TimeSpan.FromSeconds(2), $"held only {hold.Duration}");
            await AssertCompletedAsync(result, layout);
        }
        finally
        {
            await ExecAsync($"DROP TABLE IF EXISTS {Q(Database)}.{Q(gate)}");
        }
    }

    [Fact]
    public async Task Alter_max_load_over_its_limit_throttles_naming_the_metric()
    {
        var (result, sink, layout) = await RunWithLoadAsync("thrload", CaptureMode.Binlog, o => o with { MaxLoad = [new LoadThreshold("Threads_running", 0)] }, async (sink, control) =>
        {
            // Threads_running counts at least the probe's own statement: always over 0.
            await WaitForReasonAsync(sink, r => r.StartsWith("max-load Threads_running=", StringComparison.Ordinal));
            await Task.Delay(TimeSpan.FromSeconds(2));
            control.MaxLoad = [];
        });
        var hold = HeldFor(sink, r => r.StartsWith("max-load Threads_running=", StringComparison.Ordinal));
        output.WriteLine($"max-load: held at {hold.Rows} rows for {hold.Duration.TotalSeconds:0.00} s ({hold.Reason})");
        Assert.True(hold.Duration >= TimeSpan.FromSeconds(1.5), $"held only {hold.Duration}");
        await AssertCompletedAsync(result, layout);
    }

    [Fact]
    public async Task Alter_unreachable_replica_with_max_lag_throttles_naming_the_replica()
    {
        // Port 1 on loopback: connection refused at once, so the check fails fast and closed.
        var replica = $"mysql://{TestServers.Get("SHADOWCOPY_MY_USER")}@127.0.0.1:1/{Database}";
        var (result, sink, layout) = await RunWithLoadAsync("thrlag", CaptureMode.Binlog, o => o with { ReplicaDsns = [replica], MaxLag = TimeSpan.FromSeconds(5) }, async (sink, control) =>
        {
            await WaitForReasonAsync(sink, r => r.Contains("replica mysql://", StringComparison.Ordinal) && r.Contains("127.0.0.1:1", StringComparison.Ordinal));
            await Task.Delay(TimeSpan.FromSeconds(2));
            control.MaxLag = null;
        });
        var hold = HeldFor(sink, r => r.Contains("127.0.0.1:1", StringComparison.Ordinal));
        output.WriteLine($"replica: held at {hold.Rows} rows for {hold.Duration.TotalSeconds:0.00} s ({hold.Reason})");
        Assert.Contains("unreadable", hold.Reason, StringComparison.Ordinal);
        Assert.True(hold.Duration >= TimeSpan.FromSeconds(1.5), $"held only {hold.Duration}");
        await AssertCompletedAsync(result, layout);
    }

    [Fact]
    public async Task Alter_replica_lag_read_from_our_heartbeat_does_not_throttle_a_caught_up_replica()
    {
        // The primary as its own "replica": the heartbeat row written before each read is there at
        // once, so the lag reads 0 and a 1 s max-lag never throttles (Seconds_Behind_Master would be
        // unreadable here: the server is not a replica).
        Environment.SetEnvironmentVariable("SHADOWCOPY_PASSWORD", TestServers.Get("SHADOWCOPY_MY_PASSWORD"));
        try
        {
            var (result, sink, layout) = await RunWithLoadAsync("thrhb", CaptureMode.Trigger, o => o with { ReplicaDsns = [Dsn], MaxLag = TimeSpan.FromSeconds(1) }, (_, _) => Task.CompletedTask);
            Assert.DoesNotContain(sink.Statuses, s => s.ThrottleReason?.Contains("replica", StringComparison.Ordinal) == true);
            await AssertCompletedAsync(result, layout);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SHADOWCOPY_PASSWORD", null);
        }
    }

    [Fact]
    public async Task Probe_reads_status_variables_and_refuses_unknown_names()
    {
        var options = MyAlterHarness.Options("probe_none", "ADD COLUMN x INT");
        await using var backend = new MySqlAlterBackend(Settings(), options, CaptureMode.Binlog, NullLogger.Instance);
        var load = await backend.ReadLoadAsync(["Threads_running", "threads_connected"], CancellationToken.None);
        Assert.True(load["Threads_running"] >= 1);
        Assert.True(load["Threads_connected"] >= 1);
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => backend.ReadLoadAsync(["No_such_counter"], CancellationToken.None));
        Assert.Contains("No_such_counter", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(7, await backend.RunThrottleQueryAsync("SELECT 7", CancellationToken.None));
        Assert.Null(await backend.RunThrottleQueryAsync("SELECT 1 FROM DUAL WHERE 1 = 0", CancellationToken.None));
        Assert.Empty(await backend.ReadReplicaLagAsync(CancellationToken.None));

        // A query that outlives the bound is cut short on the server and reads as a failure (the gate throttles).
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<Exception>(() => backend.RunThrottleQueryAsync("SELECT SLEEP(30) + 1", CancellationToken.None));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        Assert.Equal(1, await backend.RunThrottleQueryAsync("SELECT 1", CancellationToken.None));
    }

    [Fact]
    public async Task Probe_replica_that_is_not_a_replica_is_unreadable()
    {
        // The primary itself as --replica: no heartbeat table for this table, and SHOW REPLICA STATUS has no row.
        var options = MyAlterHarness.Options("probe_none", "ADD COLUMN x INT") with { ReplicaDsns = [Dsn] };
        await using var backend = new MySqlAlterBackend(Settings(), options, CaptureMode.Binlog, NullLogger.Instance);
        Environment.SetEnvironmentVariable("SHADOWCOPY_PASSWORD", TestServers.Get("SHADOWCOPY_MY_PASSWORD"));
        try
        {
            var lags = await backend.ReadReplicaLagAsync(CancellationToken.None);
            var lag = Assert.Single(lags);
            Assert.Null(lag.Lag);
            Assert.Contains("not a replica", lag.Error, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("SHADOWCOPY_PASSWORD", null);
        }
    }

    [Fact]
    public async Task Alter_operator_chunk_size_applies_to_the_next_chunk_exactly()
    {
        const int Requested = 777;
        var requestedAt = 0;
        // No writers here: with them, a chunk's count is the rows it inserted, and INSERT IGNORE
        // skips rows capture already wrote to the shadow (a 777-key range then reads e.g. 776).
        var (result, sink, layout) = await RunWithLoadAsync("chunkreq", CaptureMode.Binlog, o => o with { StatusInterval = TimeSpan.Zero }, writers: 0, during: async (sink, control) =>
        {
            await WaitForCopyAsync(sink);
            requestedAt = sink.Statuses.Count;
            control.RequestChunkSize(Requested);
            await WaitForAsync(() => sink.Messages.Any(m => m.Contains($"chunk size set to {Requested} rows", StringComparison.Ordinal)), "the request to be taken");
        });

        // One status per chunk (StatusInterval 0): the chunk in flight at the request, then the requested one.
        var next = sink.Statuses.Skip(requestedAt).Take(3).Select(s => s.LastChunkRows).ToList();
        output.WriteLine($"chunks reported after the request: {string.Join(", ", next)}");
        Assert.Contains(Requested, next);
        await AssertCompletedAsync(result, layout);
    }

    private async Task<(AlterResult Result, RecordingStatusSink Sink, MyTableLayout Layout)> RunWithLoadAsync(
        string prefix, CaptureMode capture, Func<AlterOptions, AlterOptions> configure, Func<RecordingStatusSink, RunControl, Task> during, int writers = 4)
    {
        var name = UniqueName(prefix);
        var layout = new MyTableLayout(name);
        _cleanup.Add(name);
        await layout.CreateAsync(Rows);
        var options = configure(MyAlterHarness.Options(name, "ADD COLUMN note VARCHAR(20) NULL") with { MaxRowsPerSecond = 12_000, ThrottleCheckInterval = TimeSpan.FromMilliseconds(200) });
        var control = new RunControl(options);
        var sink = new RecordingStatusSink();
        await using var load = new MyWriterLoad(layout, writers);
        await load.StartAsync(Rows);
        AlterResult result;
        await using (var backend = new MySqlAlterBackend(Settings(), options, capture, NullLogger.Instance))
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var run = new AlterRunner(backend, options, sink, NullLogger.Instance, null, new RunServices { Control = control }).RunAsync(timeout.Token);
            var side = during(sink, control);
            result = await run;
            await side;
        }

        await load.StopAsync();
        Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
        return (result, sink, layout);
    }

    private readonly List<string> _cleanup = [];

    private async Task AssertCompletedAsync(AlterResult result, MyTableLayout layout)
    {
        try
        {
            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal(await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control)), await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table)));
            var helpers = (await ObjectsAsync(layout.Name)).Where(o => o.Contains("_new", StringComparison.Ordinal) || o.Contains("_log", StringComparison.Ordinal) || o.Contains("_state", StringComparison.Ordinal) || o.StartsWith("trigger ", StringComparison.Ordinal)).ToList();
            Assert.Empty(helpers);
        }
        finally
        {
            foreach (var name in _cleanup)
            {
                await DropAsync(name);
            }
        }
    }

    private static Task WaitForCopyAsync(RecordingStatusSink sink) =>
        WaitForAsync(() => sink.Statuses.Any(s => s.Phase == Phase.Copying && s.RowsCopied > 0), "the copy to start");

    private static Task WaitForReasonAsync(RecordingStatusSink sink, Func<string, bool> reason) =>
        WaitForAsync(() => sink.Statuses.Any(s => s.ThrottleReason is { } r && reason(r)), "the throttle reason");

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>The span of status reports throttled for the given reason, and the (single) rows-copied figure over it.</summary>
    private static (TimeSpan Duration, long Rows, string Reason) HeldFor(RecordingStatusSink sink, Func<string, bool> reason)
    {
        var held = sink.Statuses.Where(s => s.Phase == Phase.Copying && s.ThrottleReason is { } r && reason(r)).ToList();
        Assert.NotEmpty(held);
        Assert.Single(held.Select(s => s.RowsCopied).Distinct());
        return (held[^1].Elapsed - held[0].Elapsed, held[0].RowsCopied, held[0].ThrottleReason!);
    }
}
