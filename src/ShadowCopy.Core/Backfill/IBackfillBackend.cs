using ShadowCopy.Core.Engine;
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
    /// Runs the next batch of about <paramref name="size"/> key positions. <paramref name="commit"/>:
    /// UPDATE and checkpoint commit together; otherwise the batch is rolled back (dry run sample).
    /// Throws <see cref="RetryableDatabaseException"/> on lock timeout or deadlock (nothing committed).
    /// </summary>
    Task<BackfillBatch> RunBatchAsync(int size, bool commit, CancellationToken cancellationToken);

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
