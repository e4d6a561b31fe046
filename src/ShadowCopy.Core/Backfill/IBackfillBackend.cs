using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Backfill;

/// <summary>
/// One engine's part of a backfill: pick the key, validate the user's SQL, run one key-range batch
/// (UPDATE and checkpoint in one transaction) and count for the report. The <see cref="BackfillRunner"/>
/// drives it; every method is a bounded step.
/// </summary>
public interface IBackfillBackend : IAsyncDisposable
{
    /// <summary>
    /// Reads the table, picks its key (the copy's rule) and validates --set, --where and --verify with
    /// a sample batch that is rolled back. Throws <see cref="PreflightRefusedException"/> on refusal;
    /// changes nothing.
    /// </summary>
    Task<BackfillPlan> PrepareAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The checkpoint table, which the runner's <see cref="BackfillLedger"/> creates and resets, or reads
    /// on --resume (valid after <see cref="PrepareAsync"/>).
    /// </summary>
    IBackfillCheckpointStore Checkpoint { get; }

    /// <summary>
    /// Runs the key range after <paramref name="lower"/> (null: from the start) of about <paramref name="size"/>
    /// key positions. The batch locks the range's rows still to do in key order, passing over rows another
    /// transaction holds (it never waits for one while holding others: docs/adr/0028-backfill.md), and
    /// updates the rows it locked. <paramref name="commit"/>: the UPDATE and the checkpoint (its upper bound,
    /// counters, and the <paramref name="skipped"/> keys followed by the ones this batch skipped) commit
    /// together; otherwise the batch is rolled back (dry run sample). An upper bound of null: this was the
    /// last key range. Throws <see cref="RetryableDatabaseException"/> on lock timeout or deadlock (nothing committed).
    /// </summary>
    Task<BackfillRange> RunRangeAsync(string[]? lower, IReadOnlyList<string[]> skipped, int size, bool commit, CancellationToken cancellationToken);

    /// <summary>
    /// Updates the row of the oldest of the <paramref name="skipped"/> keys in a one-row transaction with the
    /// checkpoint (which then holds the others) and returns the rows changed. Before the last key range is
    /// committed (not <paramref name="exhausted"/>) a row still held is left for later: null. After it, the
    /// wait is bounded and a timeout throws <see cref="RetryableDatabaseException"/>.
    /// </summary>
    Task<long?> UpdateSkippedRowAsync(IReadOnlyList<string[]> skipped, bool exhausted, CancellationToken cancellationToken);

    /// <summary>Total rows, rows still matching --where and rows matching --verify, in one snapshot.</summary>
    Task<BackfillReport> CountAsync(CancellationToken cancellationToken);

    /// <summary>Drops the checkpoint table (after a complete run).</summary>
    Task DropCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>The statements of one batch with the locks they take, for the dry run.</summary>
    IReadOnlyList<PlannedStatement> DescribeBatch();

    /// <summary>Server figures for --max-load, --max-lag and --throttle-query; null if none.</summary>
    IServerProbe? Probe { get; }

    /// <summary>The transcript every session reports to (the journal listens to it); null if none.</summary>
    SqlTranscript? Transcript => null;
}
