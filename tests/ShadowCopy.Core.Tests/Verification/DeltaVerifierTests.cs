using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Tests.Fakes;
using ShadowCopy.Core.Verification;

namespace ShadowCopy.Core.Tests.Verification;

public sealed class DeltaVerifierTests
{
    private static RowKey Key(int id) => new([id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    [Fact]
    public async Task RunRound_mismatch_reappliesAndKeepsTheKeyDirty_thenCountsItVerified()
    {
        var verifier = new ScriptedKeyVerifier { Wrong = { Key(2) } };
        var dirty = Tracking(Key(1), Key(2), Key(3));
        var delta = new DeltaVerifier(verifier, dirty, attempts: 3, "public.t");

        Assert.Equal(3, await delta.RunRoundAsync(100, CancellationToken.None));
        Assert.Equal([Key(2)], verifier.Reapplied);
        Assert.Equal(2, delta.RowsVerified);
        Assert.Equal(1, delta.RowsReapplied);
        Assert.Equal([Key(2)], dirty.Peek());

        verifier.Wrong.Clear();
        await delta.RunRoundAsync(100, CancellationToken.None);
        Assert.Equal(3, delta.RowsVerified);
        Assert.Equal(0, dirty.Count);
    }

    [Fact]
    public async Task RunRound_keyStillWrongAfterAttempts_failsWithExit4NamingIt()
    {
        var verifier = new ScriptedKeyVerifier { Wrong = { Key(5) } };
        var dirty = Tracking(Key(5));
        var delta = new DeltaVerifier(verifier, dirty, attempts: 2, "public.t");

        await delta.RunRoundAsync(100, CancellationToken.None);
        await delta.RunRoundAsync(100, CancellationToken.None);
        var error = await Assert.ThrowsAsync<ShadowCopyException>(() => delta.RunRoundAsync(100, CancellationToken.None));

        Assert.Equal(ExitCodes.VerificationFailed, error.ExitCode);
        Assert.Contains("key 5", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was swapped", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, verifier.Reapplied.Count);
    }

    [Fact]
    public async Task RunRound_pendingKeys_stayDirtyAndAreNotCounted()
    {
        var verifier = new ScriptedKeyVerifier { Pending = { Key(1) } };
        var dirty = Tracking(Key(1), Key(2));
        var delta = new DeltaVerifier(verifier, dirty, attempts: 3, "public.t");

        Assert.Equal(1, await delta.RunRoundAsync(100, CancellationToken.None));
        Assert.Equal([Key(1)], dirty.Peek());
        Assert.Equal(1, delta.RowsVerified);
    }

    [Fact]
    public async Task RunRound_verifierThrows_keysStayDirty()
    {
        var verifier = new ScriptedKeyVerifier { Fail = true };
        var dirty = Tracking(Key(1), Key(2));
        var delta = new DeltaVerifier(verifier, dirty, attempts: 3, "public.t");

        await Assert.ThrowsAsync<InvalidOperationException>(() => delta.RunRoundAsync(100, CancellationToken.None));
        Assert.Equal(2, dirty.Count);
    }

    [Fact]
    public void CutOverBudget_beforeAnyMeasurement_isAThousandKeys()
    {
        var delta = new DeltaVerifier(new ScriptedKeyVerifier(), Tracking(), attempts: 3, "public.t");
        Assert.Equal(1_000, delta.CutOverBudget(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void CutOverVerification_overBudget_returnsNull_withinBudget_theKeys()
    {
        var dirty = Tracking(Key(1), Key(2), Key(3));
        Assert.Null(new CutOverVerification(dirty, budget: 2).KeysWithinBudget());
        Assert.Equal(3, new CutOverVerification(dirty, budget: 3).KeysWithinBudget()!.Count);
        Assert.Empty(CutOverVerification.None.KeysWithinBudget()!);
    }

    [Fact]
    public async Task CutOverBudget_followsTheComparisonsOwnTime_notTheConsistentPoints()
    {
        // 100 keys per round; the round takes 200 ms (opening its point) but the comparison 10 ms:
        // inside the cut-over's lock the point is already open, so 500 ms fit ~5,000 keys, not ~250.
        var verifier = new ScriptedKeyVerifier { Timing = (TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(10)) };
        var delta = new DeltaVerifier(verifier, Tracking(Enumerable.Range(1, 100).Select(Key).ToArray()), attempts: 3, "public.t");

        await delta.RunRoundAsync(100, CancellationToken.None);

        Assert.Equal(5_000, delta.CutOverBudget(TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public async Task CutOverBudget_withoutAComparisonTime_usesTheWholeRound()
    {
        var verifier = new ScriptedKeyVerifier { Timing = (TimeSpan.FromMilliseconds(200), null) };
        var delta = new DeltaVerifier(verifier, Tracking(Enumerable.Range(1, 1000).Select(Key).ToArray()), attempts: 3, "public.t");

        await delta.RunRoundAsync(1000, CancellationToken.None);

        Assert.InRange(delta.CutOverBudget(TimeSpan.FromMilliseconds(500)), 100, 2_600); // ≤ 5,000 keys/s × 0.5 s, timer slack allowed
    }

    [Fact]
    public async Task Interval_stretchesSoCostlyConsistentPointsTakeAtMostFivePercent()
    {
        var verifier = new ScriptedKeyVerifier { Timing = (TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(10)) };
        var delta = new DeltaVerifier(verifier, Tracking(Key(1)), attempts: 3, "public.t");
        Assert.Equal(TimeSpan.FromSeconds(1), delta.Interval(TimeSpan.FromSeconds(1)));

        await delta.RunRoundAsync(100, CancellationToken.None);

        // ~190 ms to open the point: a round every ~3.8 s instead of every second.
        Assert.InRange(delta.Interval(TimeSpan.FromSeconds(1)).TotalSeconds, 3.5, 30);
        Assert.Equal(TimeSpan.FromSeconds(30), delta.Interval(TimeSpan.FromSeconds(30)));
    }

    private static DirtyKeySet Tracking(params RowKey[] keys)
    {
        var set = new DirtyKeySet();
        set.Restart();
        set.AddRange(keys);
        return set;
    }
}
