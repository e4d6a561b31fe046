using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Logging;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Verification;

/// <summary>
/// The verification phase, once for every engine: every chunk's checksums compared at one
/// consistent point, the chunks that differ re-copied and compared again (at most
/// <c>--verify-attempts</c> times), and after that the delta verification of ADR 0019: every key the
/// applier touched after that point is compared again, in bounded rounds in the open and at last
/// inside the cut-over's lock (<see cref="PrepareCutOverAsync"/>, <see cref="SettleAsync"/>).
/// Nothing unverified is swapped in.
/// </summary>
public sealed class VerificationLoop
{
    /// <summary>Cut-over attempts given back because the lock was released to verify changed rows first.</summary>
    public const int MaxVerifyRetries = 20;

    private const int MaxStalledRounds = 5;

    private readonly IRunLoop _run;
    private readonly IChecksumSource _source;
    private readonly DirtyKeySet _dirty;
    private readonly DeltaVerifier? _delta;
    private readonly AlterOptions _options;
    private readonly ILogger _logger;
    private TimeSpan _lastDeltaRound = TimeSpan.FromDays(-1);

    public VerificationLoop(IRunLoop run, IChecksumSource source, AlterOptions options, ILogger logger)
    {
        _run = run;
        _source = source;
        _options = options;
        _logger = logger;
        _dirty = new DirtyKeySet(options.MaxUnverifiedRows);
        if (source is IKeyVerifier verifier)
        {
            verifier.AppliedKeys = _dirty;
            _delta = new DeltaVerifier(verifier, _dirty, options.VerifyAttempts, options.Table.ToString());
        }
    }

    public int ChunksVerified { get; private set; }

    public long RowsVerified { get; private set; }

    public int ChunksRecopied { get; private set; }

    /// <summary>Rows compared again after the full verification (delta rounds and inside the lock).</summary>
    public long RowsVerifiedAfterCopy => _delta?.RowsVerified ?? 0;

    /// <summary>Rows that differed in a delta round and were applied again.</summary>
    public long RowsReapplied => _delta?.RowsReapplied ?? 0;

    /// <summary>Keys changed since the last consistent point and not verified since (0 until the first full verification).</summary>
    public int RowsUnverified => _dirty.Tracking ? _dirty.Count : 0;

    /// <summary>Every chunk, then the chunks that differ until none does.</summary>
    public async Task VerifyAllAsync(CancellationToken cancellationToken)
    {
        // Everything applied before this round's consistent point is covered by it; every key
        // applied after it must be verified again before it can be swapped in (ADR 0019).
        _dirty.Restart();
        var round = await _source.VerifyChunksAsync(null, cancellationToken).ConfigureAwait(false);
        Log.VerifyRound(_logger, round.ChunksChecked, round.RowsChecked, round.MismatchedChunks.Count);
        EmitVerifyRound(0, round);
        ChunksVerified = round.ChunksChecked;
        RowsVerified = round.RowsChecked;
        var mismatched = round.MismatchedChunks;
        var attempt = 0;
        while (mismatched.Count > 0)
        {
            attempt++;
            if (attempt > _options.VerifyAttempts)
            {
                throw new ShadowCopyException(
                    $"Verification failed: {mismatched.Count} chunk(s) still differ after {_options.VerifyAttempts} re-copies (first: chunk {mismatched[0]}). Nothing was swapped; the original table is untouched.",
                    ExitCodes.VerificationFailed);
            }

            _run.Message($"verification: {mismatched.Count} chunk(s) differ; re-copying (attempt {attempt}/{_options.VerifyAttempts})");
            await _source.RecopyChunksAsync(mismatched, cancellationToken).ConfigureAwait(false);
            ChunksRecopied += mismatched.Count;
            // Not "until the backlog is empty": under steady writes it rarely is (a test spun for
            // minutes). Verification drains the rest under its own short lock.
            await _run.CatchUpAsync(_options.CutOverMaxBacklog, cancellationToken).ConfigureAwait(false);
            round = await _source.VerifyChunksAsync(mismatched, cancellationToken).ConfigureAwait(false);
            Log.VerifyRound(_logger, round.ChunksChecked, round.RowsChecked, round.MismatchedChunks.Count);
            EmitVerifyRound(attempt, round);
            mismatched = round.MismatchedChunks;
        }

        _run.Emit(RunEventKinds.Validation, ("gate", "verify-passed"), ("chunks", ChunksVerified), ("rows", RowsVerified), ("chunks_recopied", ChunksRecopied));
        _run.Message($"verification passed: {ChunksVerified} chunks, {RowsVerified} rows, checksums equal");
    }

    /// <summary>
    /// One bounded round of delta verification (ADR 0019), at most every <see cref="AlterOptions.DeltaVerifyInterval"/>
    /// (longer when opening a consistent point is costly: <see cref="DeltaVerifier.Interval"/>)
    /// unless <paramref name="force"/>d; a full verification instead when the touched keys overflowed their set.
    /// </summary>
    public async Task VerifyChangedRowsAsync(bool force, CancellationToken cancellationToken)
    {
        if (_delta is null || (!force && _run.Elapsed - _lastDeltaRound < _delta.Interval(_options.DeltaVerifyInterval)))
        {
            return;
        }

        _lastDeltaRound = _run.Elapsed;
        if (_delta.NeedsFullVerification)
        {
            _run.Message($"verification: more than {_options.MaxUnverifiedRows} rows changed since the last verification; verifying every chunk again");
            await VerifyAllAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var pending = _delta.Pending;
        var reapplied = _delta.RowsReapplied;
        var checkedRows = await _delta.RunRoundAsync(_options.DeltaVerifyBatch, cancellationToken).ConfigureAwait(false);
        if (checkedRows > 0 || pending > 0)
        {
            EmitDeltaRound("round", checkedRows, (int)(_delta.RowsReapplied - reapplied));
        }
    }

    /// <summary>
    /// Before a cut-over attempt: verifies changed rows in the open until no more are left than the
    /// lock budget allows to verify inside the lock (<paramref name="verifyAll"/>: none), or verifies
    /// every chunk again if the set overflowed.
    /// </summary>
    public async Task<CutOverVerification> PrepareCutOverAsync(bool verifyAll, CancellationToken cancellationToken)
    {
        if (_delta is null)
        {
            return CutOverVerification.None;
        }

        // Verify once in the open right before every attempt (rounds are paced, so up to seconds of
        // changes may be pending; the lock should only cover what arrives after this round), and
        // after an attempt that found too many rows for its lock aim at half the budget. Under a steady
        // write load the pending count settles where verification keeps up with the applier, never at
        // zero: stop once rounds stop lowering it (the attempt then says whether it fits) instead of
        // looping on.
        var budget = _delta.CutOverBudget(_options.CutOverVerifyBudget);
        var target = verifyAll ? budget / 2 : budget;
        var lowest = int.MaxValue;
        for (var (round, stalled) = (0, 0); round < MaxVerifyRetries * 10 && stalled < MaxStalledRounds && ((round == 0 && (verifyAll || _delta.Pending > 0)) || _delta.NeedsFullVerification || _delta.Pending > target); round++)
        {
            await VerifyChangedRowsAsync(force: true, cancellationToken).ConfigureAwait(false);
            await _run.ApplyForAsync(IRunLoop.IdlePoll, cancellationToken).ConfigureAwait(false);
            (lowest, stalled) = _delta.NeedsFullVerification || _delta.Pending < lowest ? (_delta.Pending, 0) : (lowest, stalled + 1);
        }

        return new CutOverVerification(_dirty, budget);
    }

    /// <summary>The keys a cut-over attempt compared inside its lock: differing rows are applied again (ADR 0019).</summary>
    public async Task SettleAsync((IReadOnlyList<RowKey> Keys, KeyVerifyResult Compared)? verified, CancellationToken cancellationToken)
    {
        if (verified is not { } compared || _delta is null)
        {
            return;
        }

        EmitDeltaRound("cut-over", compared.Compared.Checked, compared.Compared.Mismatched.Count);
        await _delta.SettleAsync(compared.Keys, compared.Compared, cancellationToken).ConfigureAwait(false);
    }

    private void EmitDeltaRound(string where, int checkedRows, int mismatched) =>
        _run.Emit(
            RunEventKinds.Validation,
            ("gate", "delta-verify"),
            ("where", where),
            ("rows", checkedRows),
            ("mismatched", mismatched),
            ("rows_verified_after_copy", RowsVerifiedAfterCopy),
            ("rows_reapplied", RowsReapplied),
            ("pending", _dirty.Count));

    private void EmitVerifyRound(int attempt, VerifyRoundResult round) =>
        _run.Emit(
            RunEventKinds.Validation,
            ("gate", "verify-round"),
            ("attempt", attempt),
            ("chunks", round.ChunksChecked),
            ("rows", round.RowsChecked),
            ("mismatched_chunks", round.MismatchedChunks.Count));
}
