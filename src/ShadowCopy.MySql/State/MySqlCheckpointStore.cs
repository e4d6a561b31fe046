using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.State;
using ShadowCopy.MySql.Capture;
using ShadowCopy.MySql.Copy;
using ShadowCopy.MySql.CutOver;
using ShadowCopy.MySql.Shadow;

namespace ShadowCopy.MySql.State;

/// <summary>
/// Checkpoint and resume (<see cref="IResumableBackend"/>, docs/adr/0012-mysql-checkpoint.md):
/// the run's row in <c>_t_state</c>, the checks before a resume touches anything, and the
/// re-attachment of shadow, copy and capture; also a resume that only finishes a swapped run's cleanup.
/// </summary>
internal sealed class MySqlCheckpointStore(MySqlRun run, IMySqlCapture capture, MySqlShadow shadow, MySqlChunkCopier copier) : IResumableBackend
{
    private bool _stateTableReady;

    /// <summary>Set by <see cref="FindFinishedSwapAsync"/>: the checkpoint of a run that swapped and was stopped in its cleanup.</summary>
    public MySqlCheckpoint? FinishingSwap { get; private set; }

    private TableName Table => run.Table;

    private HelperObjectNames Names => run.Names;

    private MySqlSession Main => run.MainSession;

    private string StateTable => MySqlStatements.Q(Table.Schema, Names.State);

    public async Task SaveCheckpointAsync(RunProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        var step = run.Transcript.Step;
        run.Transcript.Step = "checkpoint";
        try
        {
            await run.EnsureMainAsync(cancellationToken).ConfigureAwait(false);
            run.Fingerprint ??= await MySqlCheckpoint.FingerprintAsync(Main, run.Statements.Source, cancellationToken).ConfigureAwait(false);
            if (!_stateTableReady)
            {
                await Main.ExecuteAsync(MySqlCheckpoint.CreateTable(StateTable, run.Statements.Comment("checkpoint")), cancellationToken).ConfigureAwait(false);
                _stateTableReady = true;
            }

            // Called between steps (no chunk or apply in flight): the chunk list and the position
            // describe the same committed shadow.
            // With --threads, workers may be copying: only the contiguous prefix of committed
            // chunks is recorded (the rest is copied again after a resume).
            var position = capture.CheckpointPosition;
            var committed = run.Ledger.Committed();
            List<string[]?> uppers = [.. committed.Chunks.Select(c => c.Upper)];
            var checkpoint = new MySqlCheckpoint(
                run.Options.Alter,
                run.Capture,
                run.Fingerprint,
                uppers,
                position,
                progress with { ChunksCopied = uppers.Count, CopyDone = progress.CopyDone && committed.Done });
            await checkpoint.SaveAsync(Main, StateTable, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            run.Transcript.Step = step;
        }
    }

    public async Task<RunProgress> ResumeAsync(CancellationToken cancellationToken)
    {
        run.Transcript.Step = "resume";
        if (FinishingSwap is { } finished)
        {
            return finished.Progress with { Phase = Phase.CleaningUp }; // the swap is done: only the cleanup is owed
        }

        const string Again = "Run `shadowcopy cleanup --dsn … --table {0}` and then the same alter again without --resume.";
        var again = string.Format(System.Globalization.CultureInfo.InvariantCulture, Again, Table.Name);
        PreflightRefusedException Refuse(string what) => new(RefusalReason.ResumeNotPossible, $"Cannot resume: {what}. Nothing was changed. {again}");

        // Every check before anything is touched: a refused resume leaves the killed run's objects as they were.
        var helpers = await MySqlObjects.HelperTablesAsync(Main, Table.Schema, [Names.State, Names.ChangeLog, Names.Shadow], cancellationToken).ConfigureAwait(false);
        if (!helpers.GetValueOrDefault(Names.State))
        {
            throw new PreflightRefusedException(
                RefusalReason.ResumeNotPossible,
                $"Cannot resume: there is no checkpoint of a run on {Table} ({Table.Schema}.{Names.State} is missing). Nothing was changed. Run the alter without --resume{(helpers.Count > 0 ? $" after `shadowcopy cleanup --dsn … --table {Table.Name}` (an earlier run left {string.Join(", ", helpers.Keys)})" : string.Empty)}.");
        }

        var stored = await MySqlCheckpoint.LoadAsync(Main, StateTable, cancellationToken).ConfigureAwait(false)
            ?? throw Refuse($"the checkpoint table {Names.State} holds no checkpoint (the run was killed before its first one)");
        if (!string.Equals(stored.Alter, run.Options.Alter, StringComparison.Ordinal))
        {
            throw Refuse($"the ALTER differs from the checkpointed run's ('{stored.Alter}'); resume with exactly that text, or start over");
        }

        if (stored.Capture != run.Capture)
        {
            throw Refuse($"the checkpointed run used --capture {stored.Capture.ToString().ToLowerInvariant()}, this one {run.Capture.ToString().ToLowerInvariant()}");
        }

        var fingerprint = await MySqlCheckpoint.FingerprintAsync(Main, MySqlStatements.Q(Table.Schema, Table.Name), cancellationToken).ConfigureAwait(false);
        if (fingerprint != stored.SchemaFingerprint)
        {
            throw Refuse($"{Table}'s definition changed since the checkpoint (SHOW CREATE TABLE differs); the shadow no longer matches it");
        }

        if (!helpers.GetValueOrDefault(Names.ChangeLog) || !helpers.ContainsKey(Names.Shadow))
        {
            throw Refuse($"the shadow {Names.Shadow} or the run's table {Names.ChangeLog} is gone");
        }

        await capture.CheckResumableAsync(stored, Refuse, cancellationToken).ConfigureAwait(false);

        // A run killed inside its cut-over may have left the table's own triggers on the shadow: back first (ADR 0027).
        await MySqlUserTriggers.RestoreFromShadowAsync(Main, Table, Names.Shadow, run.Options.CutOverLockTimeout, cancellationToken).ConfigureAwait(false);

        // Continue: statements for the real shadow, the copy after the watermark, capture from the position.
        await shadow.PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
        await shadow.CreateConversionsAsync(cancellationToken).ConfigureAwait(false);
        run.Fingerprint = fingerprint;
        _stateTableReady = true;
        run.Ledger.RestoreFromUppers(stored.ChunkUppers, stored.AllChunksCopied);
        await capture.ResumeAsync(stored, copier, cancellationToken).ConfigureAwait(false);

        Log.Resumed(run.Logger, run.Ledger.Count, (object?)stored.Binlog ?? "-");
        run.Transcript.Step = "copy";
        return stored.Progress with { ChunksCopied = run.Ledger.Count, CopyDone = stored.Progress.CopyDone && run.Ledger.CopyDone };
    }

    /// <summary>
    /// A resume after a kill during the cleanup: the checkpoint says the swap is done (the runner
    /// writes phase CleaningUp right after it), or — killed between the RENAME and that write — the
    /// catalog shows it: the copy was complete, the shadow is gone and the old name holds a table
    /// that is not our cut-over sentry (only the RENAME moves the original there, and a run cannot
    /// start while that name is taken). Returns the report of a run that only finishes the cleanup,
    /// or null when the run has not swapped.
    /// </summary>
    public async Task<PreflightReport?> FindFinishedSwapAsync(CancellationToken cancellationToken)
    {
        var helpers = await MySqlObjects.HelperTablesAsync(Main, Table.Schema, [Names.State, Names.Shadow, Names.Old], cancellationToken).ConfigureAwait(false);
        if (!helpers.GetValueOrDefault(Names.State) || await MySqlCheckpoint.LoadAsync(Main, StateTable, cancellationToken).ConfigureAwait(false) is not { } stored)
        {
            return null;
        }

        var swapped = stored.Progress.Phase == Phase.CleaningUp
            || (stored.Progress.CopyDone && !helpers.ContainsKey(Names.Shadow) && helpers.TryGetValue(Names.Old, out var oldIsOurs) && !oldIsOurs);
        if (!swapped)
        {
            return null;
        }

        if (!string.Equals(stored.Alter, run.Options.Alter, StringComparison.Ordinal))
        {
            throw new PreflightRefusedException(
                RefusalReason.ResumeNotPossible,
                $"Cannot resume: the earlier run on {Table} already swapped in a different ALTER ('{stored.Alter}') and stopped during its cleanup. Nothing was changed. Resume with that --alter to finish it, or remove what it left with `shadowcopy cleanup --dsn … --table {Table.Name}`.");
        }

        FinishingSwap = stored;
        return new PreflightReport(stored.Progress.RowsEstimated, 0, [], [], [], [], run.Warnings);
    }
}
