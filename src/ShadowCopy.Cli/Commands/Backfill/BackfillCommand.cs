using System.CommandLine;
using ShadowCopy.Cli.Engines;
using Microsoft.Extensions.Logging;
using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Cli.Output;
using ShadowCopy.Core.Backfill;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Cli.Commands.Backfill;

/// <summary>Builds immutable options from the command line and runs the backfill. No SQL here.</summary>
internal static class BackfillCommand
{
    public static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        _ = cancellationToken; // our own signal handling decides when to stop (see ShutdownSignal)
        OutputFormat format;
        BackfillOptions options;
        string dsn;
        RunTarget target;
        HookRunner? hooks;
        JournalWriter? journal = null;
        try
        {
            format = AlterCommandDefinition.ParseOutput(parse.GetValue(AlterCommandDefinition.Output)!);
            dsn = parse.GetValue(AlterCommandDefinition.Dsn)!;
            options = BuildOptions(parse, dsn);
            target = RunTarget.Parse(dsn, parse.GetValue(AlterCommandDefinition.Table)!);
            journal = AlterCommand.OpenJournal(parse.GetValue(AlterCommandDefinition.Journal), target, SecretRedactor.FromEnvironment(), error);
            hooks = parse.GetValue(AlterCommandDefinition.HooksDir) is { } hooksDir ? new HookRunner(hooksDir, HookRunner.DefaultTimeout, journal) : null;
        }
        catch (Exception bad) when (bad is ArgumentException or FormatException)
        {
            journal?.Dispose();
            error.WriteLine($"error: {bad.Message}");
            return ExitCodes.UsageError;
        }

        using var journalScope = journal;
        using var loggerFactory = CliLogging.Create(parse.GetValue(AlterCommandDefinition.Verbose));
        var logger = loggerFactory.CreateLogger("shadowcopy");
        using var signal = new ShutdownSignal(error);

        IBackfillBackend backend;
        try
        {
            backend = EngineRegistry.For(dsn).CreateBackfillBackend(dsn, options, logger);
        }
        catch (ShadowCopyException bad)
        {
            error.WriteLine($"error: {bad.Message}");
            return bad.ExitCode;
        }

        var control = new RunControl(options.Run);
        ControlServer? server;
        try
        {
            server = await AlterCommand.StartControlServerAsync(parse.GetValue(AlterCommandDefinition.ControlSocket), target, control, error);
        }
        catch (ShadowCopyException refused)
        {
            await backend.DisposeAsync();
            error.WriteLine($"error: {refused.Message}");
            return refused.ExitCode;
        }

        await using (server)
        await using (backend)
        {
            BackfillResult result;
            await using (var status = StatusOutput.Open(format, output))
            {
                var services = new RunServices { Control = control, Observer = journal, Hooks = hooks, Identity = target.Identity(string.Empty) };
                result = await new BackfillRunner(backend, options, status.Sink, logger, services).RunAsync(signal.Token);
            }

            BackfillResultPrinter.Print(result, format, output, error);
            return result.ExitCode;
        }
    }

    internal static BackfillOptions BuildOptions(ParseResult parse, string dsn)
    {
        var execute = parse.GetValue(AlterCommandDefinition.Execute);
        var resume = parse.GetValue(AlterCommandDefinition.Resume);
        if (resume && !execute)
        {
            throw new ArgumentException("--resume continues a real run: add --execute (and keep the same --table, --set and --where)");
        }

        var table = AlterCommand.ParseTable(parse.GetValue(AlterCommandDefinition.Table)!, dsn);
        return BatchOptions(parse, table, parse.GetValue(BackfillCommandDefinition.Set)!, parse.GetValue(BackfillCommandDefinition.Where), execute, resume) with
        {
            Verify = parse.GetValue(BackfillCommandDefinition.Verify),
        };
    }

    /// <summary>The batches' options for <paramref name="table"/> (backfill, and each backfill step of migrate).</summary>
    internal static BackfillOptions BatchOptions(ParseResult parse, TableName table, string set, string? where, bool execute, bool resume)
    {
        var batchSize = parse.GetValue(BackfillCommandDefinition.BatchSize);
        var maxBatch = parse.GetValue(BackfillCommandDefinition.MaxBatchSize);
        if (batchSize < 1 || maxBatch < 1)
        {
            throw new ArgumentException("--batch-size and --max-batch-size must be at least 1");
        }

        var attempts = parse.GetValue(BackfillCommandDefinition.BatchAttempts);
        if (attempts is < 1 or > 100)
        {
            throw new ArgumentException("--batch-attempts must be between 1 and 100");
        }

        var run = AlterCommand.RunControlOptions(parse, new AlterOptions
        {
            Table = table,
            Alter = string.Empty,
            Execute = execute,
            Resume = resume,
            ChunkTime = AlterCommand.OptionalDuration(parse, BackfillCommandDefinition.BatchTime)
                ?? EngineRegistry.For(parse.GetValue(AlterCommandDefinition.Dsn)!).DefaultBatchTime,
            InitialChunkSize = Math.Min(batchSize, maxBatch),
            MaxChunkSize = maxBatch,
            MinChunkSize = Math.Min(10, maxBatch),
        });
        return new BackfillOptions
        {
            Table = table,
            Set = set,
            Where = where,
            Run = run,
            LockWaitTimeout = AlterCommand.Duration(parse, BackfillCommandDefinition.LockWaitTimeout),
            BatchAttempts = attempts,
        };
    }

}
