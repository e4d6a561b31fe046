using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.State;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres.State;

/// <summary>
/// Checkpoint and resume (ADR 0011). The checkpoint is one row in the run's state table; the
/// capture position is the capture itself — the trigger's change log, or the slot's confirmed LSN —
/// both durable queues that only ever hold what the shadow has not yet applied.
/// </summary>
internal sealed class PgResume(PgRun run) : IResumableBackend
{
    private static readonly PgDialect D = PgDialect.Instance;

    private PgCheckpoint? _resumeFrom;
    private string? _fingerprint;

    private string RestartAdvice => $"Remove the earlier run's objects with `shadowcopy cleanup --dsn … --table {run.Table}`, then run again without --resume.";

    public async Task SaveCheckpointAsync(RunProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (run.SqlOrNull is null || run.Source is null)
        {
            return;
        }

        var step = run.Transcript.Step;
        run.Transcript.Step = "checkpoint";
        var state = D.Qualified(run.Table.Schema, run.Names.State);
        if (!run.StateTableReady)
        {
            // Table and marker in one transaction: killed in between, an unmarked table would look
            // like a user's and block every later run (exit 19) and cleanup would not drop it.
            await run.Main.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
            try
            {
                await run.Main.ExecuteAsync(PgCheckpoint.CreateTable(run.Table, run.Names), null, cancellationToken).ConfigureAwait(false);
                await run.Main.ExecuteAsync($"COMMENT ON TABLE {state} IS {D.QuoteLiteral(PgObjects.Comment("checkpoint", run.Table))}", null, cancellationToken).ConfigureAwait(false);
                await run.Main.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await run.Main.RollbackQuietlyAsync().ConfigureAwait(false);
                throw;
            }

            run.StateTableReady = true;
        }

        _fingerprint ??= await PgCheckpoint.FingerprintAsync(run.Main, run.Table, cancellationToken).ConfigureAwait(false);

        // Called between steps, never during a copy statement: the copy cursor is the upper bound of the
        // last chunk whose INSERT … SELECT has committed, so the watermark never claims more than
        // the shadow holds. A logical capture acknowledges only committed applies (ADR 0007).
        // --threads: chunks above the contiguous prefix may be planned or done; they are copied
        // again after a resume, so only the prefix is recorded.
        var committed = run.Ledger.Committed();
        var checkpoint = new PgCheckpoint(
            run.Options.Alter,
            run.Mode.Name,
            _fingerprint,
            committed.Cursor,
            committed.Done,
            [.. committed.Chunks.Select(c => (c.Lower, c.Upper))],
            [.. run.DeferredIndexes],
            run.CaptureOrNull?.Position,
            progress);
        await run.Main.ExecuteAsync(PgCheckpoint.Upsert(run.Table, run.Names), checkpoint.Args(), cancellationToken).ConfigureAwait(false);
        run.Transcript.Step = step;
    }

    public async Task<RunProgress> ResumeAsync(CancellationToken cancellationToken)
    {
        var from = _resumeFrom ?? throw new InvalidOperationException("ResumeAsync needs PreflightAsync with --resume first");
        if (run.FinishingSwap)
        {
            return from.Progress; // the swap is done: the runner only finishes the cleanup
        }


        // Re-check what may have gone since the preflight read it (a slot can be dropped at any time).
        await CheckCaptureObjectsAsync(cancellationToken).ConfigureAwait(false);
        run.Ledger.Restore(from.Chunks.Select(c => new ChunkRange(c.Lower, c.Upper)), from.CopyCursor, from.BackendCopyDone);
        run.DeferredIndexes.Clear();
        run.DeferredIndexes.AddRange(from.DeferredIndexes);
        run.StateTableReady = true;
        run.Transcript.Step = "resume capture";
        await run.Capture.ResumeAsync(run.Main, cancellationToken).ConfigureAwait(false);
        Log.Resumed(run.Logger, run.Ledger.Count, run.Mode.Name);
        run.Transcript.Step = "copy";
        return from.Progress;
    }

    /// <summary>
    /// A resume whose checkpoint says the swap committed (the cut-over transaction sets its phase to
    /// CleaningUp): the killed run died in its cleanup. Returns the report of a run that only finishes
    /// that cleanup, or null when the checkpoint (if any) is of a run that has not swapped.
    /// </summary>
    public async Task<PreflightReport?> FindFinishedSwapAsync(CancellationToken cancellationToken)
    {
        var found = await run.Main.QueryAsync(PgObjects.RelationSql, [run.Table.Schema, new[] { run.Names.State }], cancellationToken).ConfigureAwait(false);
        if (!found.Any(r => ((string)r[1]!).StartsWith(PgObjects.Marker, StringComparison.Ordinal)))
        {
            return null;
        }

        var rows = await run.Main.QueryAsync(PgCheckpoint.Select(run.Table, run.Names), null, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0 || PgCheckpoint.FromRow(rows[0]) is not { Progress.Phase: Phase.CleaningUp } checkpoint)
        {
            return null;
        }

        if (checkpoint.Alter != run.Options.Alter)
        {
            throw Refuse($"The earlier run on {run.Table} already swapped in a different ALTER ({checkpoint.Alter}) and stopped during its cleanup: resume with that --alter to finish it, or remove what it left with `shadowcopy cleanup --dsn … --table {run.Table}`.");
        }

        await TakeRunLockAsync(cancellationToken).ConfigureAwait(false);
        run.FinishingSwap = true;
        _resumeFrom = checkpoint;
        return new PreflightReport(checkpoint.Progress.RowsEstimated, 0, [], [], [], [], run.Warnings);
    }

    /// <summary>
    /// Every run holds a session advisory lock per table on its main session for as long as it lives
    /// (the server releases it when the process dies, even by SIGKILL). A resume that cannot take it
    /// refuses: the run it would continue is still alive, and two runs on one shadow would race at
    /// cut-over. A fresh run is refused by the leftover check anyway, so it only takes the lock.
    /// </summary>
    public async Task TakeRunLockAsync(CancellationToken cancellationToken)
    {
        var taken = await run.Main.ScalarAsync<bool>(
            "SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtextextended('shadowcopy run ' || $1 || '.' || $2, 0))",
            [run.Table.Schema, run.Table.Name],
            cancellationToken).ConfigureAwait(false);
        if (!taken && run.Options.Resume)
        {
            throw Refuse($"Another shadowcopy run on {run.Table} is still active (it holds the table's run lock): stop it before resuming, or let it finish.");
        }
    }

    /// <summary>
    /// The read-only half of a resume, run by the preflight: loads the checkpoint and refuses (changing
    /// nothing) when the run it describes cannot be continued exactly.
    /// </summary>
    public async Task LoadCheckpointAsync(CancellationToken cancellationToken)
    {
        var restart = RestartAdvice;
        var found = await run.Main.QueryAsync(PgObjects.RelationSql, [run.Table.Schema, new[] { run.Names.State, run.Names.Shadow, run.Names.ChangeLog }], cancellationToken).ConfigureAwait(false);
        var ours = found.Where(r => ((string)r[1]!).StartsWith(PgObjects.Marker, StringComparison.Ordinal)).Select(r => (string)r[0]!).ToHashSet(StringComparer.Ordinal);
        if (!ours.Contains(run.Names.State))
        {
            throw Refuse($"No checkpoint to resume from: {run.Table.Schema}.{run.Names.State} does not exist (the earlier run was killed before its first checkpoint, finished, or was cleaned up). {(ours.Count > 0 ? restart : "Run again without --resume.")}");
        }

        var rows = await run.Main.QueryAsync(PgCheckpoint.Select(run.Table, run.Names), null, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            throw Refuse($"No checkpoint to resume from: {run.Table.Schema}.{run.Names.State} is empty. {restart}");
        }

        var checkpoint = PgCheckpoint.FromRow(rows[0]);
        if (checkpoint.Alter != run.Options.Alter)
        {
            throw Refuse($"The checkpoint is for a different ALTER ({checkpoint.Alter}); this run asks for ({run.Options.Alter}). Resume with the same --alter, or: {restart}");
        }

        if (checkpoint.Capture != run.Mode.Name)
        {
            throw Refuse($"The checkpoint was taken with --capture {checkpoint.Capture}; this run asks for --capture {run.Mode.Name}. Resume with --capture {checkpoint.Capture}, or: {restart}");
        }

        _fingerprint = await PgCheckpoint.FingerprintAsync(run.Main, run.Table, cancellationToken).ConfigureAwait(false);
        if (checkpoint.Fingerprint != _fingerprint)
        {
            throw Refuse($"The schema of {run.Table} changed since the checkpoint (columns, types, nullability or key, or the table was re-created): the shadow no longer matches it. {restart}");
        }

        if (!ours.Contains(run.Names.Shadow))
        {
            throw Refuse($"The shadow table {run.Table.Schema}.{run.Names.Shadow} is gone. {restart}");
        }

        _resumeFrom = checkpoint;
        await CheckCaptureObjectsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Refuses unless every capture object of the checkpointed run exists and the slot can still stream.</summary>
    private Task CheckCaptureObjectsAsync(CancellationToken cancellationToken) =>
        run.Mode.CheckResumableAsync(run, RestartAdvice, cancellationToken);

    private static PreflightRefusedException Refuse(string message) => new(RefusalReason.ResumeNotPossible, message);
}
