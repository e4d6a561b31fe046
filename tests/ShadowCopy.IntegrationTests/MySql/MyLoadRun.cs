using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>One ALTER run with four writers on the table and its control twin; latencies recorded over the run.</summary>
internal sealed record MyLoadRun(AlterResult Result, double P50, double P99, double Max, long Operations, long OperationsAfterSwap, long Errors, long Deadlocks, string ErrorMessages, RecordingStatusSink Sink)
{
    /// <param name="setup">Runs after the tables are seeded, before the writers start.</param>
    /// <param name="backendFactory">Builds the backend (test seams); the default is a plain one.</param>
    public static async Task<MyLoadRun> ExecuteAsync(MyTableLayout layout, long seedRows, AlterOptions options, CaptureMode capture, long operationsAfterSwap = 200, Func<Task>? setup = null, Func<MySqlAlterBackend>? backendFactory = null, CancellationToken cancellationToken = default)
    {
        await layout.CreateAsync(seedRows);
        if (setup is not null)
        {
            await setup();
        }

        await using var load = new MyWriterLoad(layout, writers: 4);
        await load.StartAsync(seedRows);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
        load.StartRecordingLatency();
        var sink = new RecordingStatusSink();
        AlterResult result;
        await using (var backend = backendFactory?.Invoke() ?? new MySqlAlterBackend(MyServer.Settings(), options, capture, NullLogger.Instance))
        {
            result = await new AlterRunner(backend, options, sink, NullLogger.Instance).RunAsync(cancellationToken);
        }

        var (p50, p99, max) = (load.LatencyPercentile(0.5), load.LatencyPercentile(0.99), load.LatencyPercentile(1.0));
        var atSwap = load.Operations;
        await load.WaitForOperationsAsync(atSwap + operationsAfterSwap, TimeSpan.FromSeconds(30));
        await load.StopAsync();
        return new MyLoadRun(result, p50, p99, max, load.Operations, load.Operations - atSwap, load.Errors, load.Deadlocks, string.Join(" | ", load.ErrorMessages), sink);
    }

    public override string ToString() =>
        $"exit {Result.ExitCode}, {Result.Duration.TotalSeconds:0.0} s, copied {Result.RowsCopied}, applied {Result.ChangesApplied}, verified {Result.ChunksVerified} chunks, writer p50 {P50:0.0} ms p99 {P99:0.0} ms max {Max:0} ms, ops {Operations}, deadlocks {Deadlocks}";

    public void AssertSucceeded(string diff = "")
    {
        Assert.True(Result.ExitCode == ExitCodes.Success, $"exit {Result.ExitCode}: {Result.Message}");
        Assert.True(Errors == 0, "writer errors: " + ErrorMessages + "\n" + diff);
        Assert.True(OperationsAfterSwap > 100, $"writers made too little progress after the swap ({OperationsAfterSwap})");
        Assert.True(Result.ChunksVerified > 1);
    }
}
