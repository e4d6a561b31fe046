using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.Capture;
using ShadowCopy.MySql.CutOver;
using ShadowCopy.MySql.Shadow;
using ShadowCopy.MySql.State;
using ShadowCopy.MySql.Throttling;

namespace ShadowCopy.MySql.Preflight;

/// <summary>
/// The run's preflight (read-only): the table, its key, foreign keys, triggers, leftovers and the
/// capture's server settings are checked, then the ALTER is rehearsed on a session-private temporary
/// table, so the mapping, the key's survival and lossy changes are known before anything exists.
/// </summary>
internal sealed class MySqlAlterPreflight(MySqlRun run, IMySqlCapture capture, MySqlShadow shadow, MySqlCheckpointStore state)
{
    private TableName Table => run.Table;

    private HelperObjectNames Names => run.Names;

    private AlterOptions Options => run.Options;

    private MySqlSession Main => run.MainSession;

    public async Task<PreflightReport> RunAsync(CancellationToken cancellationToken)
    {
        run.Transcript.Step = "preflight";
        // Replica DSNs are parsed (and their passwords resolved) up front: a typo is a usage error, not a throttle.
        run.Replicas = MySqlServerProbe.ParseReplicas(Options.ReplicaDsns);
        await run.ConnectAsync(cancellationToken).ConfigureAwait(false);
        if (Options.Resume && await state.FindFinishedSwapAsync(cancellationToken).ConfigureAwait(false) is { } finished)
        {
            // The table now is the new one: no check or rehearsal of the ALTER applies to it any more.
            return finished;
        }

        var (rows, bytes) = await MySqlPreflight.CheckTableAsync(Main, Table, cancellationToken).ConfigureAwait(false);
        var source = run.Source = await MySqlInspector.ReadAsync(Main, Table.Schema, Table.Name, cancellationToken).ConfigureAwait(false);
        MySqlPreflight.CheckKey(source, Table);
        run.Alter = MySqlAlterText.Validate(Options.Alter);
        if (Options.Resume && (await MySqlObjects.HelperTablesAsync(Main, Table.Schema, [Names.ChangeLog], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(Names.ChangeLog))
        {
            // A run killed inside its cut-over may have left children pointing at our shadow.
            run.Warnings.AddRange(await MySqlForeignKeys.RepairAsync(Main, Table, Names.Shadow, Options.CutOverLockTimeout, Options.CutOverAttempts, cancellationToken).ConfigureAwait(false));
        }

        var foreignKeys = await MySqlForeignKeys.ReadAsync(Main, Table.Schema, Table.Name, cancellationToken).ConfigureAwait(false);
        if (Options.Revertible)
        {
            Revert.MySqlReverseCapture.Check(Table, (await MySqlUserTriggers.ReadAsync(Main, Table.Schema, Table.Name, cancellationToken).ConfigureAwait(false)).Count > 0, foreignKeys.Count > 0);
        }

        if (run.ExternalTool)
        {
            // alter --via: the other tool's swap does not move keys.
            run.Warnings.AddRange(MySqlPreflight.CheckForeignKeys(foreignKeys, Table, Options.AllowForeignKeys));
        }
        // Leftovers first: our own triggers from a killed run must read as leftovers, not as the user's.
        // With --resume our leftovers are what the run continues from (ResumeAsync checks them).
        await MySqlObjects.CheckNoLeftoversAsync(Main, Table, Names, Options.Resume, cancellationToken).ConfigureAwait(false);
        // The table's own triggers are carried to the new table (ADR 0027); ours are told apart by their marker.
        await MySqlUserTriggers.CheckAsync(Main, Table, triggerCapture: capture.InstallsTriggers && !Options.Resume, carried: !run.ExternalTool, cancellationToken).ConfigureAwait(false);
        await capture.CheckServerAsync(Main, cancellationToken).ConfigureAwait(false);

        // Both capture modes swap with the go token (docs/cut-over.md), so the final changes can be verified under the lock.
        await MySqlObjects.CheckGoTokenNamesAsync(Main, Table, cancellationToken).ConfigureAwait(false);

        // Rehearse on a session-private temporary table (invisible to others, not binlogged in
        // ROW format): the ALTER's errors, the mapping and the key's survival are known before
        // anything is created; the lossy-change probes run against the live data read-only.
        run.Transcript.Step = "preflight (rehearsal on a temporary table)";
        var rehearsal = MySqlStatements.Q(Table.Schema, Names.Shadow);
        await Main.ExecuteAsync($"CREATE TEMPORARY TABLE {rehearsal} LIKE {MySqlStatements.Q(Table.Schema, Table.Name)}", cancellationToken).ConfigureAwait(false);
        try
        {
            await shadow.AlterShadowAsync(cancellationToken).ConfigureAwait(false);
            MySqlPreflight.CheckShadowEngine((await Main.QueryAsync($"SHOW CREATE TABLE {rehearsal}", cancellationToken).ConfigureAwait(false)).Rows[0].GetString(1), Table);
            await shadow.PrepareStatementsAsync(cancellationToken).ConfigureAwait(false);
            // What FinishCopyAsync builds; known from the rehearsal so --resume knows it too.
            run.DeferredIndexes = await MySqlDeferredIndexes.ReadAsync(Main, rehearsal, cancellationToken).ConfigureAwait(false);
            MySqlUserTriggers.CheckColumns(await MySqlUserTriggers.ReadAsync(Main, Table.Schema, Table.Name, cancellationToken).ConfigureAwait(false), run.Mapping!, Table);
            var rehearsed = await MySqlInspector.ReadAsync(Main, Table.Schema, Names.Shadow, cancellationToken).ConfigureAwait(false);
            await MySqlLossyChecks.RunAsync(Main, Table, source, run.Mapping!, rehearsed, cancellationToken).ConfigureAwait(false);
            if (!run.ExternalTool)
            {
                run.ForeignKeys = await MySqlForeignKeys.PlanAsync(Main, Table, foreignKeys, source, rehearsed, run.Mapping!, Options, run.Warnings, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await Main.ExecuteAsync($"DROP TEMPORARY TABLE IF EXISTS {rehearsal}", CancellationToken.None).ConfigureAwait(false);
        }

        var mapping = run.Mapping!;
        Log.Rehearsed(run.Logger, mapping.Copied.Count, mapping.Dropped.Count, mapping.Added.Count);
        return new PreflightReport(rows, bytes, mapping.Key.Select(k => k.SourceName).ToList(), mapping.Copied.Select(c => c.SourceName).ToList(), mapping.Dropped, mapping.Added, run.Warnings);
    }
}
