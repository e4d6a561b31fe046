using System.CommandLine;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres;

namespace ShadowCopy.Cli.Commands.Cleanup;

internal static class CleanupCommand
{
    public static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var dsn = parse.GetValue(CleanupCommandDefinition.Dsn)!;
            if (!dsn.StartsWith("postgres://", StringComparison.Ordinal) && !dsn.StartsWith("postgresql://", StringComparison.Ordinal))
            {
                throw new ShadowCopyException("--dsn must start with postgres:// (MySQL/MariaDB cleanup arrives with MySQL support).", ExitCodes.UsageError);
            }

            var table = TableName.Parse(parse.GetValue(CleanupCommandDefinition.Table)!, "public");
            var lockText = parse.GetValue(CleanupCommandDefinition.LockTimeout);
            if (!DurationParser.TryParse(lockText, out var lockTimeout) || lockTimeout <= TimeSpan.Zero)
            {
                throw new ShadowCopyException($"--lock-timeout must be a duration like 2s, not '{lockText}'", ExitCodes.UsageError);
            }

            var dropped = await PgCleanup.RunAsync(PgDsn.Parse(dsn), table, lockTimeout, cancellationToken);
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
