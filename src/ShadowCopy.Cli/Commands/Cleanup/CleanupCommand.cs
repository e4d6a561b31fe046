using System.CommandLine;
using ShadowCopy.Core.Engine;
using ShadowCopy.Cli.Engines;
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
            var table = engine.ParseTable(parse.GetValue(CleanupCommandDefinition.Table)!, dsn);
            var lockText = parse.GetValue(CleanupCommandDefinition.LockTimeout);
            if (!DurationParser.TryParse(lockText, out var lockTimeout) || lockTimeout <= TimeSpan.Zero)
            {
                throw new ShadowCopyException($"--lock-timeout must be a duration like 2s, not '{lockText}'", ExitCodes.UsageError);
            }

            var dropped = await engine.CleanupAsync(dsn, table, lockTimeout, cancellationToken);
            output.WriteLine(dropped.Count == 0 ? $"nothing to clean up for {table}" : $"removed: {string.Join(", ", dropped)}");
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
