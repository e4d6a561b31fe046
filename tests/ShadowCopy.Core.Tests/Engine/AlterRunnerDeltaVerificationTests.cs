using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.CutOver;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Tests.Fakes;
using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.Tests.Engine;

/// <summary>The runner's part of delta verification (ADR 0019): rounds while postponed, the budget at the cut-over, re-applies, exit 4.</summary>
public sealed class AlterRunnerDeltaVerificationTests
{
    private static RowKey Key(int id) => new([id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    [Fact]
    public async Task CutOver_keysAppliedAfterVerification_areVerifiedBeforeTheSwap()
    {
        var backend = ArmedAfterVerification((after, call) => after <= 30 ? [Key(call)] : []);
        var seen = new List<int>();
        backend.OnVerifiedCutOver = (_, verification) =>
        {
            var keys = verification.KeysWithinBudget()!;
            seen.Add(keys.Count);
            return new CutOverAttempt(true, false, 1, null) { Verified = (keys, new KeyVerifyResult(keys.Count, [], [])) };
        };

        var result = await RunAsync(backend, AlterRunnerTests.Fast);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Single(seen);
        Assert.True(seen[0] > 0, "the cut-over got the keys applied after the verification");
        Assert.True(result.RowsVerifiedAfterCopy >= seen[0], "the keys verified under the lock are counted (beside the open round's)");
    }

    [Fact]
    public async Task CutOver_moreKeysThanTheBudget_releasesVerifiesInTheOpenAndRetriesWithoutSpendingAnAttempt()
    {
        var backend = ArmedAfterVerification((after, call) => after <= 30 ? Enumerable.Range(call * 100, 100).Select(Key).ToList() : []);
        var attempts = 0;
        backend.OnVerifiedCutOver = (_, verification) =>
        {
            attempts++;
            if (attempts == 1)
            {
                return CutOverAttempt.TooManyToVerify(1, 100_000, verification.Budget);
            }

            var keys = verification.KeysWithinBudget() ?? throw new InvalidOperationException("over budget again");
            return new CutOverAttempt(true, false, 1, null) { Verified = (keys, new KeyVerifyResult(keys.Count, [], [])) };
        };

        var result = await RunAsync(backend, AlterRunnerTests.Fast with { CutOverAttempts = 1 });

        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        Assert.Equal(2, attempts);
        Assert.True(backend.CountOf(nameof(IKeyVerifier.VerifyKeysAsync)) > 0);
    }

    [Fact]
    public async Task CutOver_underASteadyWriteLoad_stopsVerifyingInTheOpenOnceRoundsStopHelping()
    {
        // Every apply brings 1,000 new keys, forever: the pending count settles above zero. The runner
        // must try again once rounds stop lowering it (it used to loop 200 rounds aiming at zero:
        // 4 minutes under a real load with logical capture).
        var backend = ArmedAfterVerification((_, call) => Enumerable.Range(call * 1000, 1000).Select(Key).ToList());
        backend.KeyVerifier.Timing = (TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(2));
        var attempts = 0;
        var roundsBeforeRetry = 0;
        backend.OnVerifiedCutOver = (_, verification) =>
        {
            if (++attempts == 1)
            {
                roundsBeforeRetry = backend.KeyVerifier.Rounds;
                return CutOverAttempt.TooManyToVerify(1, 100_000, verification.Budget);
            }

            roundsBeforeRetry = backend.KeyVerifier.Rounds - roundsBeforeRetry;
            return new CutOverAttempt(true, false, 1, null) { Verified = ([], KeyVerifyResult.Empty) };
        };

        var result = await RunAsync(backend, AlterRunnerTests.Fast with { CutOverAttempts = 1, CutOverVerifyBudget = TimeSpan.FromMilliseconds(1), DeltaVerifyBatch = 100 });

        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        Assert.Equal(2, attempts);
        Assert.InRange(roundsBeforeRetry, 1, 20);
    }

    [Fact]
    public async Task CutOver_writesOutpaceVerificationForever_stopsWithExit5NamingTheBudgetAndSwapsNothing()
    {
        // Every attempt finds more changed rows than its lock may verify: after the bounded rounds in
        // the open the run must stop with a sentence that names the cause and the knob, not swap.
        var backend = ArmedAfterVerification((_, call) => Enumerable.Range(call * 1000, 1000).Select(Key).ToList());
        var attempts = 0;
        backend.OnVerifiedCutOver = (_, verification) =>
        {
            attempts++;
            return CutOverAttempt.TooManyToVerify(1, 100_000, verification.Budget);
        };

        var result = await RunAsync(backend, AlterRunnerTests.Fast with { CutOverAttempts = 2, DeltaVerifyBatch = 100 });

        Assert.Equal(ExitCodes.CutOverFailed, result.ExitCode);
        Assert.Contains("faster than they can be verified", result.Message, StringComparison.Ordinal);
        Assert.Contains("--cut-over-verify-budget", result.Message, StringComparison.Ordinal);
        Assert.True(attempts > 2, $"only {attempts} attempts: rounds in the open must not spend cut-over attempts");
        Assert.Equal(0, backend.CountOf("AfterCutOverAsync"));
        Assert.Contains(nameof(IAlterBackend.CleanupAsync), backend.Calls);
    }

    [Fact]
    public async Task CutOver_rowStillDifferentUnderTheLock_isReappliedAndFinallyRefusedWithExit4()
    {
        var backend = ArmedAfterVerification((after, _) => after == 1 ? [Key(7)] : []);
        backend.KeyVerifier.Wrong.Add(Key(7));
        backend.OnVerifiedCutOver = (_, verification) =>
        {
            var keys = verification.KeysWithinBudget()!;
            var wrong = keys.Where(backend.KeyVerifier.Wrong.Contains).ToList();
            return wrong.Count == 0
                ? new CutOverAttempt(true, false, 1, null)
                : new CutOverAttempt(false, false, 1, "differ") { Verified = (keys, new KeyVerifyResult(keys.Count, [], wrong)) };
        };

        var result = await RunAsync(backend, AlterRunnerTests.Fast with { VerifyAttempts = 2 });

        Assert.Equal(ExitCodes.VerificationFailed, result.ExitCode);
        Assert.Contains("key 7", result.Message, StringComparison.Ordinal);
        Assert.Equal(0, backend.CountOf("AfterCutOverAsync"));
        Assert.Contains(nameof(IAlterBackend.CleanupAsync), backend.Calls);
        Assert.True(backend.KeyVerifier.Reapplied.Count >= 2);
    }

    [Fact]
    public async Task Postponed_changedRows_areVerifiedInRoundsWhileWaiting()
    {
        var backend = ArmedAfterVerification((after, call) => after <= 30 ? [Key(call)] : []);
        var flag = Path.Combine(Path.GetTempPath(), $"postpone-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(flag, "hold");
        try
        {
            var options = AlterRunnerTests.Fast with { PostponeCutOverFlagFile = flag, DeltaVerifyInterval = TimeSpan.Zero };
            var run = RunAsync(backend, options);
            while (backend.KeyVerifier.Rounds < 3)
            {
                await Task.Delay(20);
            }

            File.Delete(flag);
            var result = await run;

            Assert.Equal(ExitCodes.Success, result.ExitCode);
            Assert.True(result.RowsVerifiedAfterCopy > 0);
        }
        finally
        {
            File.Delete(flag);
        }
    }

    /// <summary>A backend whose applies report the keys <paramref name="keys"/> gives (n-th apply after the verification, apply call number).</summary>
    private static FakeAlterBackend ArmedAfterVerification(Func<int, int, IReadOnlyList<RowKey>> keys)
    {
        var backend = new FakeAlterBackend();
        var verifyDone = false;
        var after = 0;
        backend.OnVerify = (_, chunks) =>
        {
            verifyDone = true;
            return new VerifyRoundResult(chunks?.Count ?? 3, 300, []);
        };
        backend.OnApplyKeys = call => verifyDone ? keys(++after, call) : [];
        return backend;
    }

    private static Task<AlterResult> RunAsync(FakeAlterBackend backend, AlterOptions options) =>
        new AlterRunner(backend, options, new RecordingStatusSink(), NullLogger.Instance).RunAsync(CancellationToken.None);
}
