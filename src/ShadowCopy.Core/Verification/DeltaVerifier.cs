using System.Diagnostics;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Verification;

/// <summary>
/// The verify and re-apply loop for rows changed after their chunk was verified (docs/adr/0019):
/// takes dirty keys in bounded batches, has the backend compare them at a consistent point,
/// re-applies the ones that differ from the original and checks them again. A key that still
/// differs after <c>attempts</c> re-applies stops the run with exit 4 before anything is swapped.
/// </summary>
public sealed class DeltaVerifier
{
    private const int MaxKeysNamed = 10;

    private readonly IKeyVerifier _verifier;
    private readonly DirtyKeySet _dirty;
    private readonly int _attempts;
    private readonly string _table;
    private readonly Dictionary<RowKey, int> _failures = [];
    private double _keysPerSecond;

    public DeltaVerifier(IKeyVerifier verifier, DirtyKeySet dirty, int attempts, string table)
    {
        _verifier = verifier;
        _dirty = dirty;
        _attempts = attempts;
        _table = table;
    }

    /// <summary>Rows compared equal after the copy's verification (delta rounds and the cut-over's check).</summary>
    public long RowsVerified { get; private set; }

    /// <summary>Rows that differed and were put into the shadow again from the original.</summary>
    public long RowsReapplied { get; private set; }

    /// <summary>The touched keys outgrew the set: only a full verification of every chunk covers them now.</summary>
    public bool NeedsFullVerification => _dirty.Overflowed;

    public int Pending => _dirty.Count;

    /// <summary>
    /// What the last round spent opening its consistent point (its time minus the comparison's):
    /// on PostgreSQL logical capture a SHARE lock with a fence and a drain, which writers feel.
    /// </summary>
    public TimeSpan LastPointCost { get; private set; }

    /// <summary>
    /// The pause before the next round: <paramref name="interval"/>, or longer where opening a point
    /// is costly, so points take at most 5 % of the time (a 150 ms point: a round every 3 s).
    /// </summary>
    public TimeSpan Interval(TimeSpan interval) => LastPointCost * 20 > interval ? LastPointCost * 20 : interval;

    /// <summary>
    /// How many keys may be compared inside the cut-over's lock: the measured rate of the rounds so
    /// far times <paramref name="budget"/>; 1,000 before anything was measured.
    /// </summary>
    public int CutOverBudget(TimeSpan budget) =>
        _keysPerSecond <= 0 ? 1_000 : (int)Math.Clamp(_keysPerSecond * budget.TotalSeconds, 100, 50_000);

    /// <summary>Verifies up to <paramref name="maxKeys"/> dirty keys at one consistent point; returns how many were compared.</summary>
    public async Task<int> RunRoundAsync(int maxKeys, CancellationToken cancellationToken)
    {
        var keys = _dirty.Take(maxKeys);
        if (keys.Count == 0)
        {
            return 0;
        }

        var watch = Stopwatch.StartNew();
        KeyVerifyResult result;
        try
        {
            result = await _verifier.VerifyKeysAsync(keys, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Nothing was judged: the keys stay dirty.
            _dirty.AddRange(keys);
            throw;
        }

        LastPointCost = result.CompareTime is { } compare && watch.Elapsed > compare ? watch.Elapsed - compare : TimeSpan.Zero;
        if (result.Checked > 0)
        {
            // The rate of the comparison alone where the backend measured it: the budget is for work
            // inside the lock, where no consistent point has to be opened (a logical-capture point
            // with its fence and drain costs more than comparing hundreds of keys).
            var rate = result.Checked / Math.Max((result.CompareTime ?? watch.Elapsed).TotalSeconds, 0.001);
            _keysPerSecond = _keysPerSecond <= 0 ? rate : (0.7 * _keysPerSecond) + (0.3 * rate);
        }

        _dirty.AddRange(result.Pending);
        await SettleAsync(keys, result, cancellationToken).ConfigureAwait(false);
        return result.Checked;
    }

    /// <summary>
    /// Counts a comparison (a round's or the cut-over's) and re-applies the keys that differ, which
    /// stay dirty so the next consistent point checks them again. Throws exit 4 for a key that has
    /// differed more than the allowed number of times.
    /// </summary>
    public async Task SettleAsync(IReadOnlyList<RowKey> keys, KeyVerifyResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(result);
        RowsVerified += result.Checked - result.Mismatched.Count;
        var mismatched = result.Mismatched.ToHashSet();
        var pending = result.Pending.ToHashSet();
        foreach (var key in keys)
        {
            if (!mismatched.Contains(key) && !pending.Contains(key))
            {
                _failures.Remove(key);
            }
        }

        if (mismatched.Count == 0)
        {
            return;
        }

        var exhausted = new List<RowKey>();
        foreach (var key in result.Mismatched)
        {
            var count = _failures.GetValueOrDefault(key) + 1;
            _failures[key] = count;
            if (count > _attempts)
            {
                exhausted.Add(key);
            }
        }

        if (exhausted.Count > 0)
        {
            var named = string.Join(", ", exhausted.Take(MaxKeysNamed).Select(_verifier.Describe));
            var more = exhausted.Count > MaxKeysNamed ? $" and {exhausted.Count - MaxKeysNamed} more" : string.Empty;
            throw new ShadowCopyException(
                $"Verification failed: {exhausted.Count} row(s) changed after the copy still differ from {_table} after {_attempts} re-applies: {named}{more}. Nothing was swapped; the original table is untouched.",
                ExitCodes.VerificationFailed);
        }

        await _verifier.RecopyKeysAsync(result.Mismatched, cancellationToken).ConfigureAwait(false);
        RowsReapplied += result.Mismatched.Count;
        _dirty.AddRange(result.Mismatched);
    }
}
