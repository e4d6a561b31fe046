using ShadowCopy.Core.Model;
using ShadowCopy.MySql.State;

namespace ShadowCopy.MySql.CutOver;

/// <summary>
/// What a run owes after its swap: the foreign keys' second half (ADR 0026), a refusal to drop the
/// old table while it holds changes the new one lacks, the old table if asked, and the helpers.
/// </summary>
internal sealed class MySqlAfterSwap(MySqlRun run, MySqlCheckpointStore state)
{
    public async Task FinishAsync(bool dropOldTable, CancellationToken cancellationToken)
    {
        run.Transcript.Step = "after cut-over";
        await run.EnsureMainAsync(cancellationToken).ConfigureAwait(false);
        var main = run.MainSession;
        var options = run.Options;
        var table = run.Table;
        var names = run.Names;
        if (run.ForeignKeys is { } foreignKeys)
        {
            await foreignKeys.FinishAsync(main, run.Statements, options.CutOverLockTimeout, options.CutOverAttempts * 4, cancellationToken).ConfigureAwait(false);
        }
        else if (state.FinishingSwap is not null)
        {
            // Resumed after a kill in this phase: what FinishAsync would have done, read from the catalog.
            await MySqlForeignKeys.FinishFromCatalogAsync(main, table, names.Old, options.CutOverLockTimeout, options.CutOverAttempts * 4, cancellationToken).ConfigureAwait(false);
        }

        if (run.ChangesAfterDrain is > 0)
        {
            // Never drop the old table then: it holds the only copy of those changes.
            await MySqlObjects.DropAllAsync(main, table, names, options.CutOverLockTimeout, 20, cancellationToken).ConfigureAwait(false);
            throw new ShadowCopyException(
                $"The swap is done, but {run.ChangesAfterDrain} row change(s) reached the old table between the final drain and the RENAME; they are in {names.Old} and not in the new table. Reconcile them from {names.Old} (report this as a bug).",
                ExitCodes.CutOverFailed);
        }

        if (dropOldTable)
        {
            // Before the helpers: DropAllAsync removes the checkpoint last, so until then a resume finishes this.
            await MySqlObjects.WithLockRetriesAsync(main, options.CutOverLockTimeout, 20, $"DROP TABLE IF EXISTS {MySqlStatements.Q(table.Schema, names.Old)}", cancellationToken).ConfigureAwait(false);
        }

        await MySqlObjects.DropAllAsync(main, table, names, options.CutOverLockTimeout, 20, cancellationToken).ConfigureAwait(false);
    }
}
