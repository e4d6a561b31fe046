using System.CommandLine;
using ShadowCopy.Core.Engine;
using ShadowCopy.Cli.Engines;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Cli.Commands.Cleanup;

internal static class CleanupCommand
{
    public static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var dsn = parse.GetValue(CleanupCommandDefinition.Dsn)!;
            var engine = EngineRegistry.For(dsn);
            var tableText = parse.GetValue(CleanupCommandDefinition.Table);
            var migrations = parse.GetValue(CleanupCommandDefinition.Migrations);
            if (tableText is null && !migrations)
            {
                throw new ShadowCopyException("cleanup needs --table (a table's leftovers), --migrations (stopped migrations' checkpoints), or both.", ExitCodes.UsageError);
            }

            var lockText = parse.GetValue(CleanupCommandDefinition.LockTimeout);
            if (!DurationParser.TryParse(lockText, out var lockTimeout) || lockTimeout <= TimeSpan.Zero)
            {
                throw new ShadowCopyException($"--lock-timeout must be a duration like 2s, not '{lockText}'", ExitCodes.UsageError);
            }

            var dropped = new List<string>();
            if (tableText is not null)
            {
                dropped.AddRange(await engine.CleanupAsync(dsn, engine.ParseTable(tableText, dsn), lockTimeout, cancellationToken));
            }

            if (migrations)
            {
                dropped.AddRange(await engine.CleanupMigrationsAsync(dsn, cancellationToken));
            }

            var what = tableText is null ? "migration checkpoints" : migrations ? $"{tableText} or migration checkpoints" : engine.ParseTable(tableText, dsn).ToString();
            output.WriteLine(dropped.Count == 0 ? $"nothing to clean up for {what}" : $"removed: {string.Join(", ", dropped)}");
            return ExitCodes.Success;
        }
        catch (ShadowCopyException failure)
        {
            error.WriteLine($"error: {failure.Message}");
            return failure.ExitCode;
        }
        catch (FormatException bad)
        {
            error.WriteLine($"error: {bad.Message}");
            return ExitCodes.UsageError;
        }
    }
}
