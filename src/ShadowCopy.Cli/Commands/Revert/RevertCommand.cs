using System.CommandLine;
using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Cli.Commands.Finish;
using ShadowCopy.Cli.Engines;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Revert;

namespace ShadowCopy.Cli.Commands.Revert;

/// <summary><c>shadowcopy revert</c> and <c>shadowcopy finish</c> (ADR 0031): options to <see cref="RevertRunner"/>. No SQL here.</summary>
internal static class RevertCommand
{
    public static async Task<int> RunAsync(ParseResult parse, bool finish, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        JournalWriter? journal = null;
        try
        {
            var dsn = parse.GetValue(RevertCommandDefinition.Dsn)!;
            var engine = EngineRegistry.For(dsn);
            var tableText = parse.GetValue(RevertCommandDefinition.Table)!;
            var table = engine.ParseTable(tableText, dsn);
            var lockText = parse.GetValue(RevertCommandDefinition.LockTimeout);
            if (!DurationParser.TryParse(lockText, out var lockTimeout) || lockTimeout <= TimeSpan.Zero)
            {
                throw new ShadowCopyException($"--lock-timeout must be a duration like 2s, not '{lockText}'", ExitCodes.UsageError);
            }

            var attempts = parse.GetValue(RevertCommandDefinition.Attempts);
            if (attempts < 1)
            {
                throw new ShadowCopyException("--attempts must be at least 1", ExitCodes.UsageError);
            }

            journal = AlterCommand.OpenJournal(parse.GetValue(RevertCommandDefinition.Journal), RunTarget.Parse(dsn, tableText), SecretRedactor.FromEnvironment(), error);
            var backend = engine.CreateRevertBackend(dsn, table);
            await using (backend.ConfigureAwait(false))
            {
                var execute = parse.GetValue(RevertCommandDefinition.Execute);
                var runner = new RevertRunner(backend, output.WriteLine, journal);
                journal?.OnEvent(RunEvent.Create(finish ? "finish-started" : "revert-started", ("table", table.ToString()), ("execute", execute)));
                var code = finish
                    ? await runner.FinishAsync(execute, parse.GetValue(FinishCommandDefinition.KeepOldTable), lockTimeout, attempts, cancellationToken)
                    : await runner.RevertAsync(execute, lockTimeout, attempts, cancellationToken);
                journal?.OnEvent(RunEvent.Create("run-finished", ("exit_code", code)));
                return code;
            }
        }
        catch (ShadowCopyException failure)
        {
            journal?.OnEvent(RunEvent.Create("run-finished", ("exit_code", failure.ExitCode), ("message", failure.Message)));
            error.WriteLine($"error: {failure.Message}");
            return failure.ExitCode;
        }
        catch (Exception bad) when (bad is FormatException or ArgumentException)
        {
            error.WriteLine($"error: {bad.Message}");
            return ExitCodes.UsageError;
        }
        finally
        {
            journal?.Dispose();
        }
    }
}
