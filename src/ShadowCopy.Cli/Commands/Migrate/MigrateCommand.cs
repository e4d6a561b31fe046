using ShadowCopy.Cli.Output;
using System.CommandLine;
using Microsoft.Extensions.Logging;
using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Cli.Engines;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;
using ShadowCopy.Lint.Migrate;

namespace ShadowCopy.Cli.Commands.Migrate;

/// <summary>Builds immutable options from the command line and runs the migration. No SQL here.</summary>
internal static class MigrateCommand
{
    public static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        _ = cancellationToken; // our own signal handling decides when to stop (see ShutdownSignal)
        Output.OutputFormat format;
        MigrationOptions options;
        string dsn;
        RunTarget target;
        HookRunner? hooks;
        JournalWriter? journal = null;
        try
        {
            format = AlterCommandDefinition.ParseOutput(parse.GetValue(AlterCommandDefinition.Output)!);
            dsn = parse.GetValue(AlterCommandDefinition.Dsn)!;
            options = BuildOptions(parse, dsn);
            var files = options.Files.Select(f => f.File).ToList();
            target = RunTarget.Parse(dsn, "migrate");
            var journalOption = parse.GetValue(AlterCommandDefinition.Journal);
            journal = journalOption is null
                ? new JournalWriter(JournalPath.Default(target.Database, "migrate", Path.GetFileNameWithoutExtension(files[0])), SecretRedactor.FromEnvironment(), error)
                : AlterCommand.OpenJournal(journalOption, target, SecretRedactor.FromEnvironment(), error);
            hooks = parse.GetValue(AlterCommandDefinition.HooksDir) is { } hooksDir ? new HookRunner(hooksDir, HookRunner.DefaultTimeout, journal) : null;
        }
        catch (Exception bad) when (bad is ArgumentException or FormatException or IOException or UnauthorizedAccessException)
        {
            journal?.Dispose();
            error.WriteLine($"error: {bad.Message}");
            return ExitCodes.UsageError;
        }

        using var journalScope = journal;
        using var loggerFactory = CliLogging.Create(parse.GetValue(AlterCommandDefinition.Verbose));
        var logger = loggerFactory.CreateLogger("shadowcopy");
        using var signal = new ShutdownSignal(error);
        IMigrationBackend backend;
        try
        {
#pragma warning disable CA2000 // the backend is disposed by the await using that follows the try
            backend = CreateBackend(dsn);
#pragma warning restore CA2000
        }
        catch (ShadowCopyException bad)
        {
            error.WriteLine($"error: {bad.Message}");
            return bad.ExitCode;
        }

        await using (backend)
        {
            MigrationResult result;
            await using (var status = options.Execute ? StatusOutput.Open(format, output) : StatusOutput.None())
            {
                var steps = new CliMigrationSteps(parse, dsn, target, journal, hooks, status.Sink, error, logger);
                try
                {
                    result = await new MigrationRunner(backend, steps, options, status.Sink, journal).RunAsync(signal.Token);
                }
                catch (ShadowCopyException failure)
                {
                    error.WriteLine($"error: {failure.Message}");
                    return failure.ExitCode;
                }
                catch (ArgumentException bad)
                {
                    error.WriteLine($"error: {bad.Message}");
                    return ExitCodes.UsageError;
                }
            }

            MigrateResultPrinter.Print(result, format, output, error);
            return result.ExitCode;
        }
    }

    internal static MigrationOptions BuildOptions(ParseResult parse, string dsn)
    {
        var execute = parse.GetValue(AlterCommandDefinition.Execute);
        var resume = parse.GetValue(AlterCommandDefinition.Resume);
        if (resume && !execute)
        {
            throw new ArgumentException("--resume continues a real run: add --execute (and give the same files, unchanged)");
        }

        var attempts = parse.GetValue(MigrateCommandDefinition.LockAttempts);
        if (attempts is < 1 or > 100)
        {
            throw new ArgumentException("--lock-attempts must be between 1 and 100");
        }

        var nativeText = parse.GetValue(MigrateCommandDefinition.NativeUnder);
        if (!DurationParser.TryParse(nativeText, out var nativeUnder) || nativeUnder < TimeSpan.Zero)
        {
            throw new ArgumentException($"--native-under must be a duration like 1s or 0s, not '{nativeText}'");
        }

        var files = parse.GetValue(MigrateCommandDefinition.Files) ?? [];
        return new MigrationOptions
        {
            Files = [.. files.Select(f => (f, File.Exists(f) ? File.ReadAllText(f) : throw new ArgumentException($"{f}: no such file")))],
            Execute = execute,
            Resume = resume,
            PauseBefore = parse.GetValue(MigrateCommandDefinition.PauseBefore),
            NativeUnder = nativeUnder,
            LockTimeout = AlterCommand.Duration(parse, MigrateCommandDefinition.LockTimeout),
            LockAttempts = attempts,
            Dsn = dsn,
        };
    }

    internal static IMigrationBackend CreateBackend(string dsn) => EngineRegistry.For(dsn).CreateMigrationBackend(dsn);
}
