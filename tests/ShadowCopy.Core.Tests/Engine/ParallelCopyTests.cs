using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Tests.Fakes;

namespace ShadowCopy.Core.Tests.Engine;

/// <summary><c>--threads N</c>: the runner's coordination of parallel copy workers against a scripted backend.</summary>
public sealed class ParallelCopyTests
{
    private static readonly AlterOptions Options = new()
    {
        Table = new TableName("public", "orders"),
        Alter = "ADD COLUMN note2 text",
        Execute = true,
        Threads = 3,
        ChunkTime = TimeSpan.FromMilliseconds(10),
        StatusInterval = TimeSpan.Zero,
        CutOverLockTimeout = TimeSpan.FromMilliseconds(10),
        CleanupTimeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task Every_chunk_is_copied_once_by_up_to_N_workers_at_a_time()
    {
        var backend = new FakeParallelBackend(new FakeAlterBackend());

        var result = await RunAsync(backend, Options);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(1200, result.RowsCopied);
        Assert.Equal(Enumerable.Range(0, 12), backend.Copies.Select(c => c.Chunk).Order());
        Assert.InRange(backend.MaxConcurrent, 2, 3);
        Assert.All(backend.Copies, c => Assert.InRange(c.Worker, 0, 2));
        Assert.Equal(0, backend.Inner.CountOf(nameof(IAlterBackend.CopyChunkAsync)));
    }

    [Fact]
    public async Task Without_apply_during_copy_chunks_go_in_rounds_with_applies_only_between()
    {
        var backend = new FakeParallelBackend(new FakeAlterBackend()) { ApplyDuringCopy = false };

        var result = await RunAsync(backend, Options);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(1200, result.RowsCopied);
        Assert.Equal(3, backend.MaxConcurrent);
        Assert.Equal(0, backend.AppliesDuringCopy);
        Assert.True(backend.Inner.CountOf(nameof(IAlterBackend.ApplyChangesAsync)) >= 4, "changes were not applied between rounds");
    }

    [Fact]
    public async Task One_thread_keeps_the_sequential_copy()
    {
        var backend = new FakeParallelBackend(new FakeAlterBackend());

        var result = await RunAsync(backend, Options with { Threads = 1 });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Empty(backend.Copies);
        Assert.Equal(3, backend.Inner.CountOf(nameof(IAlterBackend.CopyChunkAsync)));
    }

    [Fact]
    public async Task A_retryable_error_copies_that_chunk_again_and_the_run_completes()
    {
        var backend = new FakeParallelBackend(new FakeAlterBackend())
        {
            OnCopy = (chunk, attempt) =>
            {
                if (chunk == 5 && attempt < 3)
                {
                    throw new RetryableDatabaseException("deadlock", "40P01", new InvalidOperationException());
                }
            },
        };

        var result = await RunAsync(backend, Options);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(1200, result.RowsCopied);
        Assert.Equal(3, backend.Copies.Count(c => c.Chunk == 5));
    }

    [Fact]
    public async Task A_fatal_error_stops_the_other_workers_before_cleanup()
    {
        var backend = new FakeParallelBackend(new FakeAlterBackend())
        {
            CopyTime = TimeSpan.FromMilliseconds(50),
            OnCopy = (chunk, _) =>
            {
                if (chunk == 4)
                {
                    throw new ShadowCopyException("disk full", ExitCodes.InternalError);
                }
            },
        };

        var result = await RunAsync(backend, Options);

        Assert.Equal("failed", result.Outcome);
        Assert.Equal(1, backend.Inner.CountOf(nameof(IAlterBackend.CleanupAsync)));
        Assert.Equal(0, backend.RunningAtCleanup);
    }

    [Fact]
    public async Task An_operator_chunk_size_applies_to_the_next_chunk_planned()
    {
        var control = new RunControl(Options);
        control.RequestChunkSize(37);
        var backend = new FakeParallelBackend(new FakeAlterBackend());

        var result = await new AlterRunner(backend, Options, new RecordingStatusSink(), NullLogger.Instance, null, new RunServices { Control = control }).RunAsync(CancellationToken.None);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(37, backend.PlanSizes[0]);
    }

    [Fact]
    public async Task Throttling_plans_no_chunk_until_it_lifts()
    {
        var backend = new FakeParallelBackend(new FakeAlterBackend());
        var throttler = new ScriptedThrottler(throttledChecks: 3, "flag");
        var sink = new RecordingStatusSink();

        var result = await new AlterRunner(backend, Options, sink, NullLogger.Instance, [throttler]).RunAsync(CancellationToken.None);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var throttled = sink.Statuses.Where(s => s.ThrottleReason == "flag").ToList();
        Assert.NotEmpty(throttled);
        Assert.All(throttled, s => Assert.Equal(0, s.RowsCopied));
    }

    private static Task<AlterResult> RunAsync(FakeParallelBackend backend, AlterOptions options) =>
        new AlterRunner(backend, options, new RecordingStatusSink(), NullLogger.Instance).RunAsync(CancellationToken.None);
}
