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
    /// Positions the batch cursor: at the start, or (<paramref name="resume"/>) after the last batch
    /// the checkpoint recorded as committed. Creates the checkpoint table on a real run. Returns the
    /// progress the checkpoint held (zero for a fresh run).
    /// </summary>
    Task<BackfillProgress> StartAsync(bool resume, CancellationToken cancellationToken);

    /// <summary>
    /// Runs the next key range of about <paramref name="size"/> key positions. The batch locks the
    /// range's rows still to do in key order, passing over rows another transaction holds (it never
    /// waits for one while holding others: docs/adr/0028-backfill.md), and updates the rows it locked.
    /// <paramref name="commit"/>: the UPDATE, the skipped keys and the checkpoint commit together and the
    /// cursor advances; otherwise the batch is rolled back (dry run sample).
    /// <see cref="BackfillBatch.Done"/>: this was the last key range.
    /// Throws <see cref="RetryableDatabaseException"/> on lock timeout or deadlock (nothing committed).
    /// </summary>
    Task<BackfillBatch> RunRangeAsync(int size, bool commit, CancellationToken cancellationToken);

    /// <summary>
    /// Updates the rows earlier batches skipped, oldest first, each in a one-row transaction with the
    /// checkpoint; returns the rows changed. While key ranges remain a row still held is left for later;
    /// after the last range the wait is bounded and a timeout throws <see cref="RetryableDatabaseException"/>.
    /// </summary>
    Task<long> UpdateSkippedAsync(CancellationToken cancellationToken);

    /// <summary>The last key range is committed (read from the checkpoint on resume).</summary>
    bool Exhausted { get; }

    /// <summary>Rows skipped by committed batches and not updated yet.</summary>
    int SkippedRows { get; }

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
