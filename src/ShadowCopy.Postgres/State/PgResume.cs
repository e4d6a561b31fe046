using ShadowCopy.Core.Copy;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.State;
using ShadowCopy.Postgres.Capture;
using ShadowCopy.Postgres.Capture.Logical;
using ShadowCopy.Postgres.Shadow;
using ShadowCopy.Postgres.State;

namespace ShadowCopy.Postgres;

/// <summary>
/// Checkpoint and resume (ADR 0011). The checkpoint is one row in the run's state table; the
/// capture position is the capture itself — the trigger's change log, or the slot's confirmed LSN —
/// both durable queues that only ever hold what the shadow has not yet applied.
/// </summary>
public sealed partial class PgAlterBackend : IResumableBackend
{
    private PgCheckpoint? _resumeFrom;
    private bool _finishingSwap;
    private bool _stateTableReady;
    private string? _fingerprint;

    private string RestartAdvice => $"Remove the earlier run's objects with `shadowcopy cleanup --dsn … --table {Table}`, then run again without --resume.";

    private string CaptureMode => _captureOptions.IsLogical ? "logical" : "trigger";

    public async Task SaveCheckpointAsync(RunProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        if (_sql is null || _source is null)
        {
            return;
        }

        var step = _transcript.Step;
        _transcript.Step = "checkpoint";
        var state = D.Qualified(Table.Schema, Names.State);
        if (!_stateTableReady)
        {
            // Table and marker in one transaction: killed in between, an unmarked table would look
            // like a user's and block every later run (exit 19) and cleanup would not drop it.
            await Main.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
            try
            {
                await Main.ExecuteAsync(PgCheckpoint.CreateTable(Table, Names), null, cancellationToken).ConfigureAwait(false);
                await Main.ExecuteAsync($"COMMENT ON TABLE {state} IS {D.QuoteLiteral(PgObjects.Comment("checkpoint", Table))}", null, cancellationToken).ConfigureAwait(false);
                await Main.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await Main.RollbackQuietlyAsync().ConfigureAwait(false);
                throw;
            }

            _stateTableReady = true;
        }

        _fingerprint ??= await PgCheckpoint.FingerprintAsync(Main, Table, cancellationToken).ConfigureAwait(false);

        // Called between steps, never during a copy statement: the copy cursor is the upper bound of the
        // last chunk whose INSERT … SELECT has committed, so the watermark never claims more than
        // the shadow holds. A logical capture acknowledges only committed applies (ADR 0007).
        // --threads: chunks above the contiguous prefix may be planned or done; they are copied
        // again after a resume, so only the prefix is recorded.
        var committed = _ledger.Committed();
        var checkpoint = new PgCheckpoint(
            _options.Alter,
            CaptureMode,
            _fingerprint,
            committed.Cursor,
            committed.Done,
            [.. committed.Chunks.Select(c => (c.Lower, c.Upper))],
            [.. _deferredIndexes],
            (_capture as PgLogicalCapture)?.Position,
            progress);
        await Main.ExecuteAsync(PgCheckpoint.Upsert(Table, Names), checkpoint.Args(), cancellationToken).ConfigureAwait(false);
        _transcript.Step = step;
    }

    public async Task<RunProgress> ResumeAsync(CancellationToken cancellationToken)
    {
        var from = _resumeFrom ?? throw new InvalidOperationException("ResumeAsync needs PreflightAsync with --resume first");
        if (_finishingSwap)
        {
            return from.Progress; // the swap is done: the runner only finishes the cleanup
        }


        // Re-check what may have gone since the preflight read it (a slot can be dropped at any time).
        await CheckCaptureObjectsAsync(cancellationToken).ConfigureAwait(false);
        _ledger.Restore(from.Chunks.Select(c => new ChunkRange(c.Lower, c.Upper)), from.CopyCursor, from.BackendCopyDone);
        _deferredIndexes.Clear();
        _deferredIndexes.AddRange(from.DeferredIndexes);
        _stateTableReady = true;
        _transcript.Step = "resume capture";
        await Capture.ResumeAsync(Main, cancellationToken).ConfigureAwait(false);
        Log.Resumed(_logger, _ledger.Count, CaptureMode);
        _transcript.Step = "copy";
        return from.Progress;
    }

    /// <summary>
    /// A resume whose checkpoint says the swap committed (the cut-over transaction sets its phase to
    /// CleaningUp): the killed run died in its cleanup. Returns the report of a run that only finishes
    /// that cleanup, or null when the checkpoint (if any) is of a run that has not swapped.
    /// </summary>
    private async Task<PreflightReport?> FindFinishedSwapAsync(CancellationToken cancellationToken)
    {
        var found = await Main.QueryAsync(PgObjects.RelationSql, [Table.Schema, new[] { Names.State }], cancellationToken).ConfigureAwait(false);
        if (!found.Any(r => ((string)r[1]!).StartsWith(PgObjects.Marker, StringComparison.Ordinal)))
        {
            return null;
        }

        var rows = await Main.QueryAsync(PgCheckpoint.Select(Table, Names), null, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0 || PgCheckpoint.FromRow(rows[0]) is not { Progress.Phase: Phase.CleaningUp } checkpoint)
        {
            return null;
        }

        if (checkpoint.Alter != _options.Alter)
        {
            throw Refuse($"The earlier run on {Table} already swapped in a different ALTER ({checkpoint.Alter}) and stopped during its cleanup: resume with that --alter to finish it, or remove what it left with `shadowcopy cleanup --dsn … --table {Table}`.");
        }

        await TakeRunLockAsync(cancellationToken).ConfigureAwait(false);
        _finishingSwap = true;
        _resumeFrom = checkpoint;
        return new PreflightReport(checkpoint.Progress.RowsEstimated, 0, [], [], [], [], _warnings);
    }

    /// <summary>
    /// Every run holds a session advisory lock per table on its main session for as long as it lives
    /// (the server releases it when the process dies, even by SIGKILL). A resume that cannot take it
    /// refuses: the run it would continue is still alive, and two runs on one shadow would race at
    /// cut-over. A fresh run is refused by the leftover check anyway, so it only takes the lock.
    /// </summary>
    private async Task TakeRunLockAsync(CancellationToken cancellationToken)
    {
        var taken = await Main.ScalarAsync<bool>(
            "SELECT pg_catalog.pg_try_advisory_lock(pg_catalog.hashtextextended('shadowcopy run ' || $1 || '.' || $2, 0))",
            [Table.Schema, Table.Name],
            cancellationToken).ConfigureAwait(false);
        if (!taken && _options.Resume)
        {
            throw Refuse($"Another shadowcopy run on {Table} is still active (it holds the table's run lock): stop it before resuming, or let it finish.");
        }
    }

    /// <summary>
    /// The read-only half of a resume, run by the preflight: loads the checkpoint and refuses (changing
    /// nothing) when the run it describes cannot be continued exactly.
    /// </summary>
    private async Task LoadCheckpointAsync(CancellationToken cancellationToken)
    {
        var restart = RestartAdvice;
        var found = await Main.QueryAsync(PgObjects.RelationSql, [Table.Schema, new[] { Names.State, Names.Shadow, Names.ChangeLog }], cancellationToken).ConfigureAwait(false);
        var ours = found.Where(r => ((string)r[1]!).StartsWith(PgObjects.Marker, StringComparison.Ordinal)).Select(r => (string)r[0]!).ToHashSet(StringComparer.Ordinal);
        if (!ours.Contains(Names.State))
        {
            throw Refuse($"No checkpoint to resume from: {Table.Schema}.{Names.State} does not exist (the earlier run was killed before its first checkpoint, finished, or was cleaned up). {(ours.Count > 0 ? restart : "Run again without --resume.")}");
        }

        var rows = await Main.QueryAsync(PgCheckpoint.Select(Table, Names), null, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            throw Refuse($"No checkpoint to resume from: {Table.Schema}.{Names.State} is empty. {restart}");
        }

        var checkpoint = PgCheckpoint.FromRow(rows[0]);
        if (checkpoint.Alter != _options.Alter)
        {
            throw Refuse($"The checkpoint is for a different ALTER ({checkpoint.Alter}); this run asks for ({_options.Alter}). Resume with the same --alter, or: {restart}");
        }

        if (checkpoint.Capture != CaptureMode)
        {
            throw Refuse($"The checkpoint was taken with --capture {checkpoint.Capture}; this run asks for --capture {CaptureMode}. Resume with --capture {checkpoint.Capture}, or: {restart}");
        }

        _fingerprint = await PgCheckpoint.FingerprintAsync(Main, Table, cancellationToken).ConfigureAwait(false);
        if (checkpoint.Fingerprint != _fingerprint)
        {
            throw Refuse($"The schema of {Table} changed since the checkpoint (columns, types, nullability or key, or the table was re-created): the shadow no longer matches it. {restart}");
        }

        if (!ours.Contains(Names.Shadow))
        {
            throw Refuse($"The shadow table {Table.Schema}.{Names.Shadow} is gone. {restart}");
        }

        _resumeFrom = checkpoint;
        await CheckCaptureObjectsAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Refuses unless every capture object of the checkpointed run exists and the slot can still stream.</summary>
    private async Task CheckCaptureObjectsAsync(CancellationToken cancellationToken)
    {
        var restart = RestartAdvice;
        if (!_captureOptions.IsLogical)
        {
            var log = await Main.QueryAsync(PgObjects.RelationSql, [Table.Schema, new[] { Names.ChangeLog }], cancellationToken).ConfigureAwait(false);
            var function = await Main.QueryAsync(PgObjects.FunctionSql, [Table.Schema, Names.Function], cancellationToken).ConfigureAwait(false);
            var trigger = await Main.QueryAsync(PgObjects.TriggerSql, [Table.Schema, Table.Name, Names.Trigger], cancellationToken).ConfigureAwait(false);
            if (log.Count == 0 || function.Count == 0 || trigger.Count == 0)
            {
                var missing = new[] { (log.Count, $"change log {Names.ChangeLog}"), (function.Count, $"function {Names.Function}()"), (trigger.Count, $"trigger {Names.Trigger}") }
                    .Where(m => m.Item1 == 0).Select(m => m.Item2);
                throw Refuse($"Trigger capture of the earlier run is incomplete ({string.Join(", ", missing)} missing): changes since then may not have been recorded. {restart}");
            }

            return;
        }

        var slot = PgLogicalNames.Slot(Table);
        if ((await Main.QueryAsync(PgObjects.PublicationSql, [PgLogicalNames.Publication(Table)], cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            throw Refuse($"Publication {PgLogicalNames.Publication(Table)} of the earlier run is gone. {restart}");
        }

        // A killed run's walsender may take a moment to notice its client is gone; another live run
        // on the same table would hold the slot for good — never take it over.
        for (var attempt = 0; ; attempt++)
        {
            var rows = await Main.QueryAsync(
                "SELECT active_pid, coalesce(wal_status, ''), confirmed_flush_lsn::text FROM pg_catalog.pg_replication_slots WHERE slot_name = $1",
                [slot],
                cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                throw Refuse($"Replication slot {slot} of the earlier run is gone: the changes since its last checkpoint are lost to us. {restart}");
            }

            if ((string)rows[0][1]! == "lost")
            {
                throw Refuse($"Replication slot {slot} was invalidated (wal_status lost: the WAL it needed was removed, e.g. by max_slot_wal_keep_size). {restart}");
            }

            if (rows[0][0] is not int pid)
            {
                return;
            }

            if (attempt >= 50)
            {
                throw Refuse($"Replication slot {slot} is in use by backend {pid}: another run on {Table} may still be active. Stop it first; if none is, wait and retry.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
        }
    }

    private static PreflightRefusedException Refuse(string message) => new(RefusalReason.ResumeNotPossible, message);
}
