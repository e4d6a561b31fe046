using Npgsql;
using ShadowCopy.Core.Model;
using ShadowCopy.Postgres.Copy;
using ShadowCopy.Postgres.CutOver;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Revert;
using ShadowCopy.Postgres.Shadow;
using ShadowCopy.Postgres.State;
using ShadowCopy.Postgres.Throttling;
using ShadowCopy.Postgres.Verify;

namespace ShadowCopy.Postgres.Preflight;

/// <summary>
/// The preflight of an online ALTER (read-only): the table, its triggers, the capture mode's
/// requirements and leftovers are checked, then the shadow and the ALTER are rehearsed in a
/// transaction that is rolled back, so every refusal happens before anything exists (ADR 0003).
/// A resume checks its checkpoint instead of rehearsing.
/// </summary>
internal sealed class PgAlterPreflight(PgRun run, PgShadowBuilder shadow, PgResume resume)
{
    private static readonly PgDialect D = PgDialect.Instance;

    public async Task<PreflightReport> PreflightAsync(CancellationToken cancellationToken)
    {
        var (options, table) = (run.Options, run.Table);
        // Catalog reads and the rolled-back rehearsal are not part of the plan a user reads.
        run.Transcript.Enabled = false;
        run.Transcript.Step = "preflight";
        try
        {
            PgServerProbe.CheckLoadMetrics(options.MaxLoad.Concat(options.CriticalLoad).Select(t => t.Metric));
        }
        catch (ArgumentException error)
        {
            throw new ShadowCopyException($"--max-load / --critical-load: {error.Message}", ExitCodes.UsageError, error);
        }

        run.MainSession = await run.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (options.Resume && await resume.FindFinishedSwapAsync(cancellationToken).ConfigureAwait(false) is { } finished)
        {
            // The table now is the new one: no check or rehearsal of the ALTER applies to it any more.
            return finished;
        }

        var source = await PgInspector.ReadAsync(run.Main, table, cancellationToken).ConfigureAwait(false)
            ?? throw new PreflightRefusedException(RefusalReason.TableMissing, $"Table {table} does not exist (names are case-sensitive when quoted: --table '\"MySchema\".\"MyTable\"').");
        run.Source = source;
        if (options.Revertible)
        {
            PgReverseCapture.Check(table, source);
        }

        PgPreflight.CheckTable(source, options);
        run.UserTriggers = await PgUserTriggers.ReadAsync(run.Main, source.Oid, run.Names.Trigger, cancellationToken).ConfigureAwait(false);
        await run.Mode.PreflightAsync(run.Main, source, needsNewSlot: !options.Resume, cancellationToken).ConfigureAwait(false);
        await PgObjects.CheckNoLeftoversAsync(run.Main, table, run.Names, options.Resume, cancellationToken).ConfigureAwait(false);
        run.Alter = PgAlterText.Validate(options.Alter);
        await resume.TakeRunLockAsync(cancellationToken).ConfigureAwait(false);
        if (options.Resume)
        {
            return await PreflightResumeAsync(source, cancellationToken).ConfigureAwait(false);
        }

        // Rehearse the shadow and the ALTER on an empty clone in a transaction that is rolled
        // back: the ALTER's errors, the column mapping and the key's survival are known before
        // anything is created.
        run.Transcript.Step = "preflight (rehearsal, rolled back)";
        await run.Main.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
        try
        {
            await shadow.CreateShadowObjectsAsync(cancellationToken).ConfigureAwait(false);
            await shadow.PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
            await ExplainAsync(cancellationToken).ConfigureAwait(false);
            await PgUserTriggers.RehearseAsync(run.Main, run.UserTriggers, run.Mapping!, table, D.Qualified(table.Schema, run.Names.Shadow), cancellationToken).ConfigureAwait(false);
            if (options.Revertible)
            {
                await PgReverseCapture.RehearseAsync(run.Main, source, run.Mapping!, table, D.Qualified(table.Schema, run.Names.Shadow), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await run.Main.RollbackQuietlyAsync().ConfigureAwait(false);
        }

        run.Transcript.Enabled = !options.Execute;
        return Report(source);
    }

    /// <summary>
    /// Preflight of a resumed run: the shadow exists already, so instead of rehearsing, the checkpoint
    /// is checked against the table (refusing with exit 20 and changing nothing), the existing shadow
    /// is read for the mapping, and the copy and checksum statements are planned against it.
    /// </summary>
    private async Task<PreflightReport> PreflightResumeAsync(PgTable source, CancellationToken cancellationToken)
    {
        run.Transcript.Step = "preflight (resume)";
        await resume.LoadCheckpointAsync(cancellationToken).ConfigureAwait(false);

        // The same deterministic temporary names the killed run gave the shadow's indexes and
        // constraints; the cut-over renames them back.
        run.IndexTempNames.Clear();
        run.ConstraintTempNames.Clear();
        _ = PgShadowDdl.Build(source, run.Names, run.IndexTempNames, run.ConstraintTempNames);
        await shadow.PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
        await ExplainAsync(cancellationToken).ConfigureAwait(false);
        run.Transcript.Enabled = !run.Options.Execute;
        return Report(source);
    }

    private PreflightReport Report(PgTable source)
    {
        var mapping = run.Mapping!;
        return new PreflightReport(
            source.EstimatedRows,
            source.Bytes,
            mapping.Key.Select(k => k.SourceName).ToList(),
            mapping.Copied.Select(c => c.SourceName).ToList(),
            mapping.Dropped,
            mapping.Added,
            run.Warnings);
    }

    /// <summary>Plans (without running) the copy and checksum statements, so a type change without a cast fails here.</summary>
    private async Task ExplainAsync(CancellationToken cancellationToken)
    {
        var keyCount = run.Mapping!.Key.Count;
        await PgPreflight.CheckUsingAsync(run.Main, run.Mapping, cancellationToken).ConfigureAwait(false);
        var bounds = Enumerable.Repeat<object?>(null, keyCount * 2).ToList();
        try
        {
            await run.Main.ExecuteAsync("EXPLAIN " + run.Sql.CopyRange(true, true), bounds, cancellationToken).ConfigureAwait(false);
            await run.Main.ExecuteAsync("EXPLAIN " + run.Sql.SourceChecksum(true, true), bounds, cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error)
        {
            throw new PreflightRefusedException(
                RefusalReason.AlterRejected,
                $"The copy cannot convert the changed columns: {error.MessageText}. Change the column's type in a separate expand/contract step (add a new column, backfill, swap).",
                error);
        }
    }
}
