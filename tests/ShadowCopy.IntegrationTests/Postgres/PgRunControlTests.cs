using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.Postgres;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// Throttle inputs read through the PostgreSQL probe (flag file, throttle query, max-load, replica
/// lag) hold the copy and let it go again; operator chunk size takes effect at the next chunk.
/// </summary>
[Collection("postgres")]
public sealed class PgRunControlTests(ITestOutputHelper output)
{
    private const long SeedRows = 60_000;
    private static readonly TimeSpan Hold = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Throttle_FlagFile_HoldsRowsCopiedThenCompletes()
    {
        var flag = Path.Combine(Path.GetTempPath(), $"sc-throttle-{Guid.NewGuid():N}");
        try
        {
            await HoldAndReleaseAsync(
                options => Task.FromResult(options with { ThrottleFlagFile = flag }),
                hold: () => File.WriteAllTextAsync(flag, string.Empty),
                release: () =>
                {
                    File.Delete(flag);
                    return Task.CompletedTask;
                },
                reasonContains: "flag file");
        }
        finally
        {
            File.Delete(flag);
        }
    }

    [Fact]
    public async Task Throttle_ThrottleQuery_HoldsRowsCopiedThenCompletes()
    {
        string? flagTable = null;
        await HoldAndReleaseAsync(
            async options =>
            {
                flagTable = $"{PgServer.Q(options.Table.Schema)}.{PgServer.Q("throttle_flag")}";
                await PgServer.ExecAsync($"CREATE TABLE {flagTable} (on_hold boolean)");
                return options with { ThrottleQuery = $"SELECT count(*) FROM {flagTable}" };
            },
            hold: () => PgServer.ExecAsync($"INSERT INTO {flagTable} VALUES (true)"),
            release: () => PgServer.ExecAsync($"DELETE FROM {flagTable}"),
            reasonContains: "throttle query returned 1");
    }

    [Fact]
    public async Task Throttle_MaxLoadTinyLimit_ThrottlesNamingMetricUntilLifted()
    {
        var control = default(RunControl);
        await HoldAndReleaseAsync(
            Task.FromResult,
            hold: () => Set(() => control!.MaxLoad = [new LoadThreshold("connections", 0)]),
            release: () => Set(() => control!.MaxLoad = []),
            reasonContains: "max-load connections=",
            services: options => new RunServices { Control = control = new RunControl(options) });
    }

    [Fact]
    public async Task Throttle_UnreachableReplicaWithMaxLag_FailsClosedNamingReplica()
    {
        var control = default(RunControl);
        await HoldAndReleaseAsync(
            options => Task.FromResult(options with { ReplicaDsns = ["postgres://nobody@127.0.0.1:1/none"] }),
            hold: () => Set(() => control!.MaxLag = TimeSpan.FromSeconds(1)),
            release: () => Set(() => control!.MaxLag = null),
            reasonContains: "replica postgres://nobody@127.0.0.1:1/none unreadable",
            services: options => new RunServices { Control = control = new RunControl(options) });
    }

    [Fact]
    public async Task Probe_Metrics_ReadsKnownAndRejectsUnknownNames()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(10);
        var options = PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text");
        await using var backend = new PgAlterBackend(PgServer.Settings(), options, NullLogger.Instance);
        await backend.PreflightAsync(CancellationToken.None);

        var values = await backend.ReadLoadAsync(["active_backends", "waiting_backends", "connections"], CancellationToken.None);
        Assert.Equal(0, values["active_backends"]); // our own probe and sessions are not counted
        Assert.Equal(0, values["waiting_backends"]);
        Assert.True(values["connections"] >= 2, $"connections = {values["connections"]}");
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => backend.ReadLoadAsync(["Threads_running"], CancellationToken.None));
        Assert.Contains("active_backends", unknown.Message, StringComparison.Ordinal);
        Assert.Null(await backend.RunThrottleQueryAsync("SELECT 1 WHERE false", CancellationToken.None));
        Assert.Equal(2.5, await backend.RunThrottleQueryAsync("SELECT 2.5", CancellationToken.None));

        // A primary without standbys reports none; a DSN to a primary (not in recovery) has no lag.
        Assert.Empty(await backend.ReadReplicaLagAsync(CancellationToken.None));
        var withReplica = options with { ReplicaDsns = [PgServer.Dsn()] };
        await using var second = new PgAlterBackend(PgServer.Settings(), withReplica, NullLogger.Instance);
        Environment.SetEnvironmentVariable("SHADOWCOPY_PASSWORD", PgServer.Password);
        try
        {
            var lag = Assert.Single(await second.ReadReplicaLagAsync(CancellationToken.None));
            Assert.True(lag.Lag == TimeSpan.Zero, $"{lag.Replica}: {lag.Lag} {lag.Error}");
        }
        finally
        {
            Environment.SetEnvironmentVariable("SHADOWCOPY_PASSWORD", null);
        }
    }

    [Fact]
    public async Task Preflight_UnknownLoadMetric_RefusedAsUsageErrorNamingKnownOnes()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(10);
        var options = PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text") with { MaxLoad = [new LoadThreshold("Threads_running", 25)] };

        var result = await PgAlterHarness.RunAsync(options);

        Assert.Equal(ExitCodes.UsageError, result.ExitCode);
        Assert.Contains("Threads_running", result.Message, StringComparison.Ordinal);
        Assert.Contains("waiting_backends", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Control_RequestChunkSize_NextChunkCopiesExactlyThatMany()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(SeedRows);
        var options = PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text") with { StatusInterval = TimeSpan.FromMilliseconds(1) };
        var control = new RunControl(options);
        var sink = new RecordingStatusSink();
        var requested = false;
        await using var backend = new PgAlterBackend(PgServer.Settings(), options, NullLogger.Instance);
        var runner = new AlterRunner(backend, options, new RequestingSink(sink, s =>
        {
            if (!requested && s.Phase == Phase.Copying && s.RowsCopied > 2_000)
            {
                requested = true;
                control.RequestChunkSize(777);
            }
        }), NullLogger.Instance, services: new RunServices { Control = control });

        var result = await runner.RunAsync(CancellationToken.None);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        Assert.Contains(sink.Messages, m => m.Contains("chunk size set to 777", StringComparison.Ordinal));
        Assert.Contains(sink.Statuses, s => s.LastChunkRows == 777);
    }

    private static Task Set(Action change)
    {
        change();
        return Task.CompletedTask;
    }

    private async Task HoldAndReleaseAsync(Func<AlterOptions, Task<AlterOptions>> configure, Func<Task> hold, Func<Task> release, string reasonContains, Func<AlterOptions, RunServices>? services = null)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(SeedRows);
        var options = await configure(PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text") with { ThrottleCheckInterval = TimeSpan.FromMilliseconds(200) });
        var sink = new RecordingStatusSink();
        await using var backend = new PgAlterBackend(PgServer.Settings(), options, NullLogger.Instance);
        var runner = new AlterRunner(backend, options, sink, NullLogger.Instance, services: services?.Invoke(options));
        var run = runner.RunAsync(CancellationToken.None);

        while (!run.IsCompleted && !sink.Statuses.Any(s => s.Phase == Phase.Copying && s.RowsCopied > 3_000))
        {
            await Task.Delay(20);
        }

        await hold();
        await Task.Delay(Hold);
        await release();
        var result = await run;

        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        var held = sink.Statuses.Where(s => s.ThrottleReason?.Contains(reasonContains, StringComparison.Ordinal) == true).ToList();
        Assert.True(held.Count > 0, "no status named the reason; reasons seen: " + string.Join(" | ", sink.Statuses.Select(s => s.ThrottleReason).Distinct()));
        var span = held[^1].Elapsed - held[0].Elapsed;
        output.WriteLine($"{reasonContains}: held {span.TotalSeconds:0.00} s at {held[0].RowsCopied} rows ({held.Count} snapshots); reason '{held[0].ThrottleReason}'; finished with {result.RowsCopied} rows");
        Assert.True(span >= TimeSpan.FromSeconds(2), $"held only {span}");
        Assert.Single(held.Select(s => s.RowsCopied).Distinct());
        Assert.True(result.RowsCopied > held[0].RowsCopied, "no progress after the hold");
        Assert.Equal(
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
    }

    /// <summary>Passes everything to the recording sink and lets a test act on each status.</summary>
    private sealed class RequestingSink(RecordingStatusSink inner, Action<StatusSnapshot> onStatus) : IStatusSink
    {
        public void OnStatus(StatusSnapshot status)
        {
            inner.OnStatus(status);
            onStatus(status);
        }

        public void OnPhase(Phase from, Phase to, string? detail) => inner.OnPhase(from, to, detail);

        public void OnMessage(string message) => inner.OnMessage(message);
    }
}
