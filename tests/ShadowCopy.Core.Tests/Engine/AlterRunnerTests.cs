using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Copy;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Tests.Fakes;
using ShadowCopy.Core.Throttling;
using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.Tests.Engine;

/// <summary>
/// The runner's control flow against a scripted backend: order of phases, retries, bounds,
/// cleanup and exit codes. Small time settings keep the loops short; nothing here asserts timing.
/// </summary>
public sealed class AlterRunnerTests
{
    private const string Cleanup = nameof(IAlterBackend.CleanupAsync);
    private const string CopyChunk = nameof(IAlterBackend.CopyChunkAsync);
    private const string CutOver = nameof(IAlterBackend.TryCutOverAsync);
    private const string Recopy = nameof(IAlterBackend.RecopyChunksAsync);

    internal static readonly AlterOptions Fast = new()
    {
        Table = new TableName("public", "orders"),
        Alter = "ADD COLUMN note2 text",
        Execute = true,
        ChunkTime = TimeSpan.FromMilliseconds(10),
        StatusInterval = TimeSpan.Zero,
        CutOverLockTimeout = TimeSpan.FromMilliseconds(10),
        CleanupTimeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task RunAsync_everything_succeeds_calls_phases_in_order_and_exits_0()
    {
        var backend = new FakeAlterBackend { Chunks = 3, RowsPerChunk = 100 };
        var sink = new RecordingStatusSink();

        var result = await RunAsync(backend, Fast with { DropOldTable = true }, sink);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("completed", result.Outcome);
        Assert.Equal(
            [
                "PreflightAsync", "CreateShadowAsync", "StartCaptureAsync", CopyChunk, CopyChunk, CopyChunk,
                "FinishCopyAsync", "VerifyChunksAsync", CutOver, "AfterCutOverAsync",
            ],
            backend.PhaseCalls);
        Assert.Equal(
            [Phase.Preflight, Phase.CreatingShadow, Phase.InstallingCapture, Phase.Copying, Phase.CatchingUp, Phase.Verifying, Phase.CuttingOver, Phase.CleaningUp, Phase.Done],
            sink.Phases);
        Assert.Equal(300, result.RowsCopied);
        Assert.Equal(3, result.ChunksVerified);
        Assert.Equal(300, result.RowsVerified);
        Assert.Equal(0, result.ChunksRecopied);
        Assert.Equal(1, result.CutOverAttempts);
        Assert.Equal(3, result.CutOverLockWaitMs);
        Assert.Equal(300, result.EstimatedRows);
        Assert.Equal("_orders_new", result.ShadowTable);
        Assert.Equal("_orders_old", result.OldTable);
        Assert.Equal([true], backend.AfterCutOverDropOld);
        Assert.True(result.OldTableDropped);
        Assert.Equal([TimeSpan.FromMilliseconds(10)], backend.CutOverLockTimeouts);
        Assert.Equal(0, backend.CountOf(Cleanup));
        Assert.Contains(sink.Messages, m => m.StartsWith("verification passed", StringComparison.Ordinal));
        Assert.Equal(Phase.Done, sink.Statuses[^1].Phase);
    }

    [Fact]
    public async Task RunAsync_without_drop_old_table_keeps_the_old_table()
    {
        var backend = new FakeAlterBackend();

        var result = await RunAsync(backend, Fast);

        Assert.Equal([false], backend.AfterCutOverDropOld);
        Assert.False(result.OldTableDropped);
    }

    [Fact]
    public async Task RunAsync_capture_detail_of_the_backend_is_in_every_status()
    {
        var backend = new FakeAlterBackend { CaptureDetail = "slot retains 12.0 MB of WAL" };
        var sink = new RecordingStatusSink();

        await RunAsync(backend, Fast, sink);

        Assert.NotEmpty(sink.Statuses);
        Assert.All(sink.Statuses, s => Assert.Equal("slot retains 12.0 MB of WAL", s.CaptureDetail));
    }

    [Fact]
    public async Task RunAsync_preflight_warnings_are_reported_and_kept_in_the_result()
    {
        var backend = new FakeAlterBackend { OnPreflight = () => new PreflightReport(10, 10, ["id"], ["id"], [], [], ["lossy narrowing of c"]) };
        var sink = new RecordingStatusSink();

        var result = await RunAsync(backend, Fast, sink);

        Assert.Equal(["lossy narrowing of c"], result.Warnings);
        Assert.Contains("warning: lossy narrowing of c", sink.Messages);
    }

    [Fact]
    public async Task RunAsync_preflight_refuses_returns_refusal_exit_code_without_cleanup()
    {
        var backend = new FakeAlterBackend
        {
            OnPreflight = () => throw new PreflightRefusedException(RefusalReason.NoUsableKey, "no primary key"),
        };
        var sink = new RecordingStatusSink();

        var result = await RunAsync(backend, Fast, sink);

        Assert.Equal(ExitCodes.NoUsableKey, result.ExitCode);
        Assert.Equal("refused", result.Outcome);
        Assert.Equal("no-usable-key", result.RefusalId);
        Assert.Equal("no primary key", result.Message);
        Assert.Equal(["PreflightAsync"], backend.PhaseCalls);
        Assert.Equal(0, backend.CountOf(Cleanup));
        Assert.Equal(Phase.Failed, sink.Phases[^1]);
    }

    [Fact]
    public async Task RunAsync_refusal_while_creating_shadow_cleans_up_once()
    {
        var backend = new FakeAlterBackend
        {
            OnCreateShadow = () => throw new PreflightRefusedException(RefusalReason.AlterRejected, "ALTER failed on the shadow"),
        };

        var result = await RunAsync(backend, Fast);

        Assert.Equal(ExitCodes.AlterRejected, result.ExitCode);
        Assert.Equal("alter-rejected", result.RefusalId);
        Assert.Equal(1, backend.CountOf(Cleanup));
        Assert.Equal(0, backend.CountOf(CopyChunk));
    }

    [Fact]
    public async Task RunAsync_unexpected_error_before_swap_cleans_up_and_exits_1()
    {
        var backend = new FakeAlterBackend { OnCreateShadow = () => throw new InvalidOperationException("boom") };

        var result = await RunAsync(backend, Fast);

        Assert.Equal(ExitCodes.InternalError, result.ExitCode);
        Assert.Equal("failed", result.Outcome);
        // One sentence: what failed, in which phase, and the state of the table (issue 13).
        Assert.Equal("Failed while creating-shadow: boom. The original table is untouched and the helper objects were removed; the journal (and --verbose) has the details.", result.Message);
        Assert.Equal(1, backend.CountOf(Cleanup));
    }

    [Fact]
    public async Task RunAsync_failure_after_swap_does_not_clean_up_the_serving_table()
    {
        var backend = new FakeAlterBackend { OnAfterCutOver = () => throw new InvalidOperationException("validate failed") };

        var result = await RunAsync(backend, Fast);

        Assert.Equal(ExitCodes.InternalError, result.ExitCode);
        Assert.Equal(1, backend.CountOf(CutOver));
        Assert.Equal(0, backend.CountOf(Cleanup));
    }

    [Fact]
    public async Task RunAsync_cancelled_during_copy_cleans_up_once_and_exits_6()
    {
        using var cancel = new CancellationTokenSource();
        var backend = new FakeAlterBackend { Chunks = 10 };
        backend.OnCopyChunk = (call, _) =>
        {
            if (call == 2)
            {
                cancel.Cancel();
                throw new OperationCanceledException(cancel.Token);
            }

            return new ChunkResult(100, false, TimeSpan.FromMilliseconds(5));
        };
        var sink = new RecordingStatusSink();

        var result = await RunAsync(backend, Fast, sink, cancellationToken: cancel.Token);

        Assert.Equal(ExitCodes.Cancelled, result.ExitCode);
        Assert.Equal("cancelled", result.Outcome);
        Assert.Equal(1, backend.CountOf(Cleanup));
        Assert.Equal(0, backend.CountOf(CutOver));
        Assert.Equal(100, result.RowsCopied);
        Assert.Equal([Phase.CleaningUp, Phase.Cancelled], sink.Phases[^2..]);
    }

    [Fact]
    public async Task RunAsync_cancelled_during_preflight_exits_6_without_cleanup()
    {
        using var cancel = new CancellationTokenSource();
        var backend = new FakeAlterBackend
        {
            OnPreflight = () =>
            {
                cancel.Cancel();
                throw new OperationCanceledException(cancel.Token);
            },
        };

        var result = await RunAsync(backend, Fast, cancellationToken: cancel.Token);

        Assert.Equal(ExitCodes.Cancelled, result.ExitCode);
        Assert.Equal(["PreflightAsync"], backend.PhaseCalls);
        Assert.Equal(0, backend.CountOf(Cleanup));
    }

    [Fact]
    public async Task RunAsync_verification_keeps_failing_recopies_VerifyAttempts_times_then_exits_4()
    {
        var backend = new FakeAlterBackend { OnVerify = (_, _) => new VerifyRoundResult(3, 300, [1]) };

        var result = await RunAsync(backend, Fast with { VerifyAttempts = 2 });

        Assert.Equal(ExitCodes.VerificationFailed, result.ExitCode);
        Assert.Equal("failed", result.Outcome);
        Assert.Equal(2, backend.CountOf(Recopy));
        Assert.Equal(3, backend.CountOf("VerifyChunksAsync"));
        Assert.Equal(0, backend.CountOf(CutOver));
        Assert.Equal(1, backend.CountOf(Cleanup));
        Assert.Contains("chunk 1", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_mismatch_fixed_by_one_recopy_rechecks_only_those_chunks_and_succeeds()
    {
        var backend = new FakeAlterBackend
        {
            OnVerify = (round, chunks) => round == 1 ? new VerifyRoundResult(3, 300, [0, 2]) : new VerifyRoundResult(chunks!.Count, 200, []),
        };

        var result = await RunAsync(backend, Fast);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Single(backend.RecopyRequests);
        Assert.Equal([0, 2], backend.RecopyRequests[0]);
        Assert.Equal(2, backend.VerifyRequests.Count);
        Assert.Null(backend.VerifyRequests[0]);
        Assert.Equal([0, 2], backend.VerifyRequests[1]);
        Assert.Equal(2, result.ChunksRecopied);
        Assert.Equal(0, backend.CountOf(Cleanup));
    }

    [Fact]
    public async Task RunAsync_cut_over_lock_times_out_every_attempt_gives_up_after_CutOverAttempts_and_exits_5()
    {
        var backend = new FakeAlterBackend { OnCutOver = _ => new CutOverAttempt(false, true, 10, "lock timeout") };
        var sink = new RecordingStatusSink();

        var result = await RunAsync(backend, Fast with { CutOverAttempts = 2 }, sink);

        Assert.Equal(ExitCodes.CutOverFailed, result.ExitCode);
        Assert.Equal(2, backend.CountOf(CutOver));
        Assert.Equal(2, result.CutOverAttempts);
        Assert.Equal(1, backend.CountOf(Cleanup));
        Assert.Equal(0, backend.CountOf("AfterCutOverAsync"));
        Assert.Contains("after 2 attempts", result.Message, StringComparison.Ordinal);
        Assert.Equal(2, sink.Messages.Count(m => m.StartsWith("cut-over attempt", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RunAsync_cut_over_lock_timeout_then_success_completes_on_second_attempt()
    {
        var backend = new FakeAlterBackend { OnCutOver = attempt => new CutOverAttempt(attempt == 2, attempt == 1, 10, attempt == 1 ? "lock timeout" : null) };

        var result = await RunAsync(backend, Fast with { CutOverAttempts = 3 });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(2, result.CutOverAttempts);
        Assert.Equal(0, backend.CountOf(Cleanup));
    }

    [Fact]
    public async Task RunAsync_cut_over_error_that_is_not_a_lock_timeout_exits_5_without_retrying()
    {
        var backend = new FakeAlterBackend { OnCutOver = _ => new CutOverAttempt(false, false, 0, "permission denied") };

        var result = await RunAsync(backend, Fast with { CutOverAttempts = 5 });

        Assert.Equal(ExitCodes.CutOverFailed, result.ExitCode);
        Assert.Equal(1, backend.CountOf(CutOver));
        Assert.Equal(1, backend.CountOf(Cleanup));
        Assert.Contains("permission denied", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_retryable_copy_errors_are_retried_with_halved_chunks_then_succeed()
    {
        var backend = new FakeAlterBackend
        {
            OnCopyChunk = (call, _) => call <= 2
                ? throw new RetryableDatabaseException("deadlock detected", "40P01", new InvalidOperationException())
                : new ChunkResult(100, true, TimeSpan.FromMilliseconds(5)),
        };

        var result = await RunAsync(backend, Fast with { InitialChunkSize = 1000 });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal([1000, 500, 250], backend.ChunkSizesRequested);
        Assert.Equal(100, result.RowsCopied);
    }

    [Fact]
    public async Task RunAsync_retryable_copy_error_that_never_clears_stops_after_5_retries()
    {
        var backend = new FakeAlterBackend
        {
            OnCopyChunk = (_, _) => throw new RetryableDatabaseException("lock timeout", "55P03", new InvalidOperationException()),
        };

        var result = await RunAsync(backend, Fast);

        Assert.Equal("failed", result.Outcome);
        Assert.NotEqual(ExitCodes.Success, result.ExitCode);
        Assert.Equal(6, backend.CountOf(CopyChunk));
        Assert.Equal(1, backend.CountOf(Cleanup));
    }

    [Fact]
    public async Task RunAsync_throttler_pauses_copying_and_status_shows_the_reason()
    {
        var backend = new FakeAlterBackend { Chunks = 2 };
        var throttler = new ScriptedThrottler(throttledChecks: 2, "replica lag 12s");
        var sink = new RecordingStatusSink();

        var result = await RunAsync(backend, Fast, sink, [throttler]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(2, backend.CountOf(CopyChunk));
        Assert.Equal(4, throttler.Checks);
        var throttled = sink.Statuses.Where(s => s.ThrottleReason == "replica lag 12s").ToList();
        Assert.Equal(2, throttled.Count);
        Assert.All(throttled, s => Assert.Equal(0, s.RowsCopied));
        Assert.Null(sink.Statuses[^1].ThrottleReason);
    }

    [Fact]
    public async Task RunAsync_throttle_flag_file_pauses_copying_until_removed()
    {
        var flag = Path.Combine(Path.GetTempPath(), $"shadowcopy-throttle-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(flag, string.Empty);
        try
        {
            var backend = new FakeAlterBackend { Chunks = 1 };
            var sink = new RecordingStatusSink();
            var pollsWhileThrottled = 0;
            backend.OnBacklog = () =>
            {
                if (File.Exists(flag) && ++pollsWhileThrottled == 2)
                {
                    File.Delete(flag);
                }
            };

            var result = await RunAsync(backend, Fast with { ThrottleFlagFile = flag }, sink);

            Assert.Equal(ExitCodes.Success, result.ExitCode);
            Assert.Equal(2, pollsWhileThrottled);
            var throttled = sink.Statuses.Where(s => s.ThrottleReason is not null).ToList();
            Assert.Equal(2, throttled.Count);
            Assert.All(throttled, s => Assert.Contains(flag, s.ThrottleReason, StringComparison.Ordinal));
            Assert.Equal(1, backend.CountOf(CopyChunk));
        }
        finally
        {
            File.Delete(flag);
        }
    }

    [Fact]
    public async Task RunAsync_rate_limit_shows_as_throttle_reason()
    {
        var backend = new FakeAlterBackend { Chunks = 1, RowsPerChunk = 5 };
        var sink = new RecordingStatusSink();

        var result = await RunAsync(backend, Fast with { MaxRowsPerSecond = 100 }, sink);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains(sink.Statuses, s => s.ThrottleReason == "rate limit 100 rows/s");
    }

    [Fact]
    public async Task RunAsync_postpone_flag_file_holds_the_run_before_cut_over_until_removed()
    {
        var flag = Path.Combine(Path.GetTempPath(), $"shadowcopy-postpone-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(flag, string.Empty);
        try
        {
            var backend = new FakeAlterBackend();
            var sink = new RecordingStatusSink();
            AlterRunner? runner = null;
            var pollsWhilePostponed = 0;
            var cutOversWhilePostponed = -1;
            backend.OnBacklog = () =>
            {
                if (runner?.Phase == Phase.Postponed && ++pollsWhilePostponed == 3)
                {
                    cutOversWhilePostponed = backend.CountOf(CutOver);
                    File.Delete(flag);
                }
            };

            runner = new AlterRunner(backend, Fast with { PostponeCutOverFlagFile = flag }, sink, NullLogger.Instance);
            var result = await runner.RunAsync(CancellationToken.None);

            Assert.Equal(ExitCodes.Success, result.ExitCode);
            Assert.Equal(0, cutOversWhilePostponed);
            Assert.True(pollsWhilePostponed >= 3);
            var postponed = sink.Phases.IndexOf(Phase.Postponed);
            Assert.True(postponed > sink.Phases.IndexOf(Phase.Verifying));
            Assert.Equal(Phase.CuttingOver, sink.Phases[postponed + 1]);
            Assert.Equal(1, backend.CountOf(CutOver));
        }
        finally
        {
            File.Delete(flag);
        }
    }

    [Fact]
    public async Task RunAsync_postpone_flag_file_absent_goes_straight_to_cut_over()
    {
        var sink = new RecordingStatusSink();

        var result = await RunAsync(new FakeAlterBackend(), Fast with { PostponeCutOverFlagFile = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}") }, sink);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.DoesNotContain(Phase.Postponed, sink.Phases);
    }

    [Fact]
    public async Task RunAsync_dry_run_copies_a_sample_returns_the_plan_and_cleans_up()
    {
        var backend = new FakeAlterBackend { Chunks = 2, RowsPerChunk = 50 };

        var result = await RunAsync(backend, Fast with { Execute = false, DryRunSampleTime = TimeSpan.FromMinutes(1) });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("dry-run", result.Outcome);
        Assert.Equal(["PreflightAsync", "CreateShadowAsync", CopyChunk, CopyChunk, Cleanup], backend.PhaseCalls);
        Assert.Equal(100, result.RowsCopied);
        Assert.NotNull(result.SampleRowsPerSecond);
        Assert.NotNull(result.EstimatedCopyDuration);
        Assert.Equal(["create shadow", "install capture"], result.Plan.Select(p => p.Step));
        Assert.True(result.Plan[0].ExecutedInDryRun);
        Assert.False(result.Plan[1].ExecutedInDryRun);
        Assert.Contains("nothing on public.orders was changed", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_dry_run_of_an_empty_table_has_no_rate_and_no_estimate()
    {
        var backend = new FakeAlterBackend { OnCopyChunk = (_, _) => new ChunkResult(0, true, TimeSpan.Zero) };

        var result = await RunAsync(backend, Fast with { Execute = false });

        Assert.Equal("dry-run", result.Outcome);
        Assert.Null(result.SampleRowsPerSecond);
        Assert.Null(result.EstimatedCopyDuration);
        Assert.Equal(1, backend.CountOf(Cleanup));
    }

    private static Task<AlterResult> RunAsync(
        FakeAlterBackend backend,
        AlterOptions options,
        RecordingStatusSink? sink = null,
        IReadOnlyList<IThrottler>? throttlers = null,
        CancellationToken cancellationToken = default) =>
        new AlterRunner(backend, options, sink ?? new RecordingStatusSink(), NullLogger.Instance, throttlers).RunAsync(cancellationToken);
}
