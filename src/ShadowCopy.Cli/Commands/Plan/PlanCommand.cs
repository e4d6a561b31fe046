using System.CommandLine;
using ShadowCopy.Cli.Engines;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Lint;
using ShadowCopy.Lint.Plan;

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
        catch (Exception unreachable) when (EngineRegistry.TryFor(dsn)?.TranslateFailure(unreachable, "cannot plan on the server") is { } failure)
        {
            error.WriteLine($"error: {failure.Message}");
            return failure.ExitCode;
        }
    }

    internal static async Task<PlanResult> PlanAsync(string dsn, string tableText, string alter, CancellationToken cancellationToken)
    {
        var engine = EngineRegistry.For(dsn);
        var table = engine.ParseTable(tableText, dsn);
        var review = await ChangeReview.RunAsync(engine.CreatePlanner(dsn), table, tableText, alter, dsn, cancellationToken);
        if (review.Plan is null)
        {
            // Rethrown with its original stack so RunAsync maps it to its exit code (10, 3, 2 …).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(review.PlanFailure!);
        }

        return review.Plan;
    }

}
