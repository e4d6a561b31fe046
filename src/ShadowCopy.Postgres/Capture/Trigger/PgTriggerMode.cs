using ShadowCopy.Core.Model;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres.Capture.Trigger;

/// <summary>Trigger capture (ADR 0002): a change log, a function and a row trigger on the original.</summary>
internal sealed class PgTriggerMode : IPgCaptureMode
{
    public string Name => "trigger";

    public bool SeesPendingKeys => true;

    public bool CleanupLocksTable => true;

    public Task PreflightAsync(PgSession main, PgTable source, bool needsNewSlot, CancellationToken cancellationToken) => Task.CompletedTask;

    public string? KeyIndex(PgTable source) => null;

    public IPgCapture Create(PgRun run, PgStatements sql) =>
        new PgTriggerCapture(sql, run.Table, run.Options.CutOverLockTimeout, run.Options.CutOverAttempts);

    public async Task CheckResumableAsync(PgRun run, string restartAdvice, CancellationToken cancellationToken)
    {
        var (main, table, names) = (run.Main, run.Table, run.Names);
        var log = await main.QueryAsync(PgObjects.RelationSql, [table.Schema, new[] { names.ChangeLog }], cancellationToken).ConfigureAwait(false);
        var function = await main.QueryAsync(PgObjects.FunctionSql, [table.Schema, names.Function], cancellationToken).ConfigureAwait(false);
        var trigger = await main.QueryAsync(PgObjects.TriggerSql, [table.Schema, table.Name, names.Trigger], cancellationToken).ConfigureAwait(false);
        if (log.Count == 0 || function.Count == 0 || trigger.Count == 0)
        {
            var missing = new[] { (log.Count, $"change log {names.ChangeLog}"), (function.Count, $"function {names.Function}()"), (trigger.Count, $"trigger {names.Trigger}") }
                .Where(m => m.Item1 == 0).Select(m => m.Item2);
            throw new PreflightRefusedException(RefusalReason.ResumeNotPossible, $"Trigger capture of the earlier run is incomplete ({string.Join(", ", missing)} missing): changes since then may not have been recorded. {restartAdvice}");
        }
    }
}
