using System.CommandLine;
using Npgsql;
using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Lint;
using ShadowCopy.Core.Lint.Plan;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Plan;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.Postgres;
using ShadowCopy.Postgres.Plan;

namespace ShadowCopy.Cli.Commands.Plan;

internal static class PlanCommand
{
    public static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var dsn = parse.GetValue(PlanCommandDefinition.Dsn)!;
        var alter = parse.GetValue(PlanCommandDefinition.AlterClauses)!.Trim().TrimEnd(';').Trim();
        var format = parse.GetValue(PlanCommandDefinition.Output)!;
        if (format is not ("text" or "json"))
        {
            error.WriteLine($"error: --output must be text or json, not '{format}'");
            return ExitCodes.UsageError;
        }

        try
        {
            var result = await PlanAsync(dsn, parse.GetValue(PlanCommandDefinition.Table)!, alter, cancellationToken);
            if (format == "json")
            {
                PlanJsonOutput.Write(result, output);
            }
            else
            {
                PlanTextOutput.Write(result, output);
            }

            return result.Verdict == PlanVerdict.Refuse ? ExitCodes.AlterRejected : ExitCodes.Success;
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
        catch (Exception unreachable) when (unreachable is NpgsqlException or MySqlException or System.Net.Sockets.SocketException)
        {
            error.WriteLine($"error: cannot plan on the server: {unreachable.Message}");
            return ExitCodes.ConnectionFailed;
        }
    }

    internal static async Task<PlanResult> PlanAsync(string dsn, string tableText, string alter, CancellationToken cancellationToken)
    {
        var table = AlterCommand.ParseTable(tableText, dsn);
        var review = await ChangeReview.RunAsync(CreatePlanner(dsn), table, tableText, alter, dsn, cancellationToken);
        if (review.Plan is null)
        {
            // Rethrown with its original stack so RunAsync maps it to its exit code (10, 3, 2 …).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(review.PlanFailure!);
        }

        return review.Plan;
    }

    /// <summary>The planner for the DSN's engine; the alter dry run can use the same one (see ChangeReview).</summary>
    internal static IChangePlanner CreatePlanner(string dsn) =>
        dsn.StartsWith("mysql://", StringComparison.Ordinal) ? new MySqlChangePlanner(MySqlDsn.Parse(dsn))
        : dsn.StartsWith("postgres://", StringComparison.Ordinal) || dsn.StartsWith("postgresql://", StringComparison.Ordinal) ? new PgChangePlanner(PgDsn.Parse(dsn))
        : throw new ShadowCopyException("--dsn must start with postgres:// or mysql://.", ExitCodes.UsageError);
}
