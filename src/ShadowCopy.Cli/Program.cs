using System.CommandLine;
using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Cli.Commands.Backfill;
using ShadowCopy.Cli.Commands.Cleanup;
using ShadowCopy.Cli.Commands.Ctl;
using ShadowCopy.Cli.Commands.Emit;
using ShadowCopy.Cli.Commands.Lint;
using ShadowCopy.Cli.Commands.Migrate;
using ShadowCopy.Cli.Commands.Plan;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = CreateRoot();

        // We handle SIGINT/SIGTERM ourselves and must not be killed while removing triggers. Failures
        // no command caught are ours to word (UnhandledFailure), not the parser's stack trace.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        var parse = root.Parse(args);
        int exitCode;
        try
        {
            exitCode = await parse.InvokeAsync(configuration);
        }
        catch (Exception failure)
        {
            return UnhandledFailure.Report(failure, Console.Error);
        }

        // System.CommandLine ends a command line that does not parse with 1; ours documents 2 for
        // a bad command line (docs/user-guide.md#exit-codes), and 1 means an unexpected error.
        return parse.Errors.Count > 0 ? ExitCodes.UsageError : exitCode;
    }

    /// <summary>The whole command tree; the help tests walk it.</summary>
    internal static RootCommand CreateRoot()
    {
        var root = new RootCommand("shadowcopy: online schema changes for PostgreSQL, MySQL and MariaDB — shadow table, chunked copy, change capture, checksum verification, atomic swap.");
        root.Subcommands.Add(AlterCommandDefinition.Create());
        root.Subcommands.Add(BackfillCommandDefinition.Create());
        root.Subcommands.Add(MigrateCommandDefinition.Create());
        root.Subcommands.Add(CleanupCommandDefinition.Create());
        root.Subcommands.Add(Commands.Revert.RevertCommandDefinition.Create());
        root.Subcommands.Add(Commands.Finish.FinishCommandDefinition.Create());
        root.Subcommands.Add(LintCommandDefinition.Create());
        root.Subcommands.Add(EmitCommandDefinition.Create());
        root.Subcommands.Add(PlanCommandDefinition.Create());
        root.Subcommands.Add(CtlCommandDefinition.Create());
        return root;
    }
}
