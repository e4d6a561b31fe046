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
    /// <summary>The plan prints its own exact statement (with ALGORITHM/LOCK) and lock advice, so these two would only repeat it.</summary>
    private static readonly LintConfig PlanLintConfig = LintConfig.Empty with { Disabled = new HashSet<string>(StringComparer.Ordinal) { "require-lock-timeout", "require-algorithm-lock" } };

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
        PlanEvidence evidence;
        if (dsn.StartsWith("mysql://", StringComparison.Ordinal))
        {
            evidence = await MySqlPlanner.PlanAsync(MySqlDsn.Parse(dsn), table, alter, cancellationToken);
        }
        else if (dsn.StartsWith("postgres://", StringComparison.Ordinal) || dsn.StartsWith("postgresql://", StringComparison.Ordinal))
        {
            evidence = await PgPlanner.PlanAsync(PgDsn.Parse(dsn), table, alter, cancellationToken);
        }
        else
        {
            throw new ShadowCopyException("--dsn must start with postgres:// or mysql://.", ExitCodes.UsageError);
        }

        var findings = new Linter(PlanLintConfig).Lint("--alter", $"ALTER TABLE {tableText} {alter};", evidence.Target);
        var input = new PlanInput(evidence.Target, tableText, alter, evidence.NativeStatement, evidence.Probe, evidence.Size, findings);
        return PlanAdvisor.Decide(input, dsn);
    }
}
