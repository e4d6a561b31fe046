using System.CommandLine;
using Microsoft.Extensions.Logging;
using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Cli.Commands.Backfill;
using ShadowCopy.Cli.Engines;
using ShadowCopy.Core.Backfill;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;
using ShadowCopy.Lint.Migrate;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Cli.Commands.Migrate;

/// <summary>
/// The online-copy and backfill steps of a migration, set up as <c>alter</c> and <c>backfill</c>
/// set themselves up (same option parsing, backends, control socket, hooks), all reporting to the
/// migration's one journal. A step asked to resume whose runner finds no checkpoint of its own
/// (it failed and cleaned up, or never began) starts afresh.
/// </summary>
internal sealed class CliMigrationSteps(ParseResult parse, string dsn, RunTarget target, JournalWriter? journal, HookRunner? hooks, IStatusSink sink, TextWriter error, ILogger logger) : IMigrationSteps
{
    public IStatusSink Sink { get; set; } = sink;

    public async Task<MigrationStepOutcome> OnlineCopyAsync(TableName table, string alter, bool resume, CancellationToken cancellationToken)
    {
        var outcome = await CopyAsync(table, alter, resume, cancellationToken).ConfigureAwait(false);
        return resume && outcome.ExitCode == ExitCodes.ResumeNotPossible ? await CopyAsync(table, alter, resume: false, cancellationToken).ConfigureAwait(false) : outcome;
    }

    public async Task<MigrationStepOutcome> BackfillAsync(TableName table, string set, string? where, bool execute, bool resume, CancellationToken cancellationToken)
    {
        var outcome = await BatchesAsync(table, set, where, execute, resume, cancellationToken).ConfigureAwait(false);
        return resume && outcome.ExitCode == ExitCodes.ResumeNotPossible ? await BatchesAsync(table, set, where, execute, resume: false, cancellationToken).ConfigureAwait(false) : outcome;
    }

    private async Task<MigrationStepOutcome> CopyAsync(TableName table, string alter, bool resume, CancellationToken cancellationToken)
    {
        var options = AlterCommand.CopyOptions(parse, table, alter, execute: true, resume);
        var engine = EngineRegistry.For(dsn);
        var capture = AlterCommand.BuildCapture(parse);
        var backend = engine.CreateAlterBackend(dsn, options, logger, capture);
        var control = new RunControl(options);
        var server = await AlterCommand.StartControlServerAsync(null, target with { Table = table }, control, error).ConfigureAwait(false);
        await using (server)
        await using (backend)
        {
            var services = new RunServices { Control = control, Observer = journal, Hooks = hooks, Identity = target.Identity(capture.Mode ?? engine.DefaultCapture) };
            var result = await new AlterRunner(backend, options, Sink, logger, services: services).RunAsync(cancellationToken).ConfigureAwait(false);
            return new MigrationStepOutcome(result.ExitCode, result.Outcome, result.Message, result.EstimatedCopyDuration);
        }
    }

    private async Task<MigrationStepOutcome> BatchesAsync(TableName table, string set, string? where, bool execute, bool resume, CancellationToken cancellationToken)
    {
        var options = BackfillCommand.BatchOptions(parse, table, set, where, execute, resume) with { WhereIsRemaining = false };
        var backend = EngineRegistry.For(dsn).CreateBackfillBackend(dsn, options, logger);
        await using (backend)
        {
            var services = new RunServices { Control = new RunControl(options.Run), Observer = execute ? journal : null, Hooks = execute ? hooks : null, Identity = target.Identity(string.Empty) };
            var result = await new BackfillRunner(backend, options, execute ? Sink : new NullStatusSink(), logger, services).RunAsync(cancellationToken).ConfigureAwait(false);
            return new MigrationStepOutcome(result.ExitCode, result.Outcome, result.Message, result.EstimatedDuration);
        }
    }
}
