using System.Diagnostics;
using System.Text.Json;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Backfill;

/// <summary>
/// The engine-neutral bookkeeping of a backfill (docs/adr/0028-backfill.md), once for both engines: the
/// cursor (the last committed batch's upper bound), whether the last key range is committed, and the keys
/// committed batches skipped because an application transaction held their row (FOR UPDATE SKIP LOCKED),
/// oldest first, which the checkpoint's <c>skipped</c> column holds as a JSON array of text arrays. It
/// starts or resumes from the checkpoint, refusing a checkpoint of another backfill. The engine
/// (<see cref="IBackfillBackend"/>) runs the statements: one key range, one skipped row.
/// </summary>
public sealed class BackfillLedger(BackfillOptions options)
{
    private readonly List<string[]> _skipped = [];

    /// <summary>The last committed batch's upper bound: the next batch starts after it; null before the first.</summary>
    public string[]? Cursor { get; private set; }

    /// <summary>The last key range is committed (read from the checkpoint on resume).</summary>
    public bool Exhausted { get; private set; }

    /// <summary>Keys skipped by committed batches and not updated yet, oldest first.</summary>
    public IReadOnlyList<string[]> Skipped => _skipped;

    /// <summary>
    /// Creates the checkpoint table; then resets its row (a fresh run, zero progress) or, on
    /// <paramref name="resume"/>, takes cursor, flag and skipped keys from it and returns its progress.
    /// Refuses --resume without a checkpoint or with the checkpoint of another backfill (--set, --where or
    /// the key columns differ).
    /// </summary>
    public async Task<BackfillProgress> StartAsync(IBackfillCheckpointStore store, IReadOnlyList<string> keyColumns, bool resume, CancellationToken cancellationToken)
    {
        await store.CreateAsync(cancellationToken).ConfigureAwait(false);
        var keys = string.Join(",", keyColumns);
        if (!resume)
        {
            await store.ResetAsync(keys, cancellationToken).ConfigureAwait(false);
            return BackfillProgress.None;
        }

        var checkpoint = await store.LoadAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new PreflightRefusedException(RefusalReason.ResumeNotPossible, $"--resume: no backfill checkpoint for {options.Table} (a finished backfill removes it); run without --resume: --where makes it touch only the rows still to do.");
        if (checkpoint.Set != options.Set || checkpoint.Where != options.Where || checkpoint.KeyColumns != keys)
        {
            throw new PreflightRefusedException(RefusalReason.ResumeNotPossible, $"--resume: the checkpoint of {options.Table} is for a different backfill (--set, --where or the key differ); run without --resume to start over.");
        }

        Cursor = checkpoint.Upper;
        Exhausted = checkpoint.Done;
        _skipped.AddRange(ParseSkipped(checkpoint.Skipped));
        return new BackfillProgress(checkpoint.Batches, checkpoint.Scanned, checkpoint.Updated, Exhausted && _skipped.Count == 0);
    }

    /// <summary>
    /// Runs the key range after the cursor (<paramref name="run"/> gets the lower bound); when
    /// <paramref name="commit"/>, the cursor advances to its upper bound and its skipped keys join the list.
    /// </summary>
    public async Task<BackfillBatch> RunRangeAsync(bool commit, Func<string[]?, Task<BackfillRange>> run)
    {
        var watch = Stopwatch.StartNew();
        var range = await run(Cursor).ConfigureAwait(false);
        if (commit)
        {
            Cursor = range.Upper;
            Exhausted = range.Upper is null;
            _skipped.AddRange(range.Skipped);
        }

        return new BackfillBatch(range.Scanned, range.Updated, range.Upper is null, watch.Elapsed);
    }

    /// <summary>
    /// Updates the skipped keys oldest first, each through <paramref name="updateOldest"/> (the oldest key's
    /// row in its own transaction with the checkpoint), which returns the rows it changed, or null for a row
    /// still held that is left for later (this ends the round). Returns the rows changed.
    /// </summary>
    public async Task<long> UpdateSkippedAsync(Func<Task<long?>> updateOldest)
    {
        long updated = 0;
        while (_skipped.Count > 0)
        {
            if (await updateOldest().ConfigureAwait(false) is not { } changed)
            {
                break;
            }

            _skipped.RemoveAt(0);
            updated += changed;
        }

        return updated;
    }

    /// <summary>The checkpoint's <c>skipped</c> value for <paramref name="keys"/>: a JSON array of text arrays.</summary>
    public static string SkippedJson(IEnumerable<string[]> keys) => JsonSerializer.Serialize(keys.ToArray());

    /// <summary>The skipped keys of a checkpoint or of a batch's result (<see cref="SkippedJson"/>).</summary>
    public static string[][] ParseSkipped(string json) => JsonSerializer.Deserialize<string[][]>(json) ?? [];
}
