using System.CommandLine;
using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Cli.Commands.Cleanup;

namespace ShadowCopy.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("shadowcopy: online schema changes for PostgreSQL (MySQL/MariaDB coming) — shadow table, chunked copy, change capture, checksum verification, atomic swap.");
        root.Subcommands.Add(AlterCommandDefinition.Create());
        root.Subcommands.Add(CleanupCommandDefinition.Create());
        // We handle SIGINT/SIGTERM ourselves and must not be killed while removing triggers.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null };
        return await root.Parse(args).InvokeAsync(configuration);
    }
}
