using System.Globalization;
using ShadowCopy.Cli.Output;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Lint.Migrate;

namespace ShadowCopy.Cli.Commands.Migrate;

/// <summary>The migration as a table (statement → method → lock → estimated time) with its outcome, or as one JSON line.</summary>
internal static class MigrateResultPrinter
{
    public static void Print(MigrationResult result, OutputFormat format, TextWriter output, TextWriter error)
    {
        var done = result.Done.ToHashSet();
        string Status(MigrationStep s) => done.Contains(s.Number) ? "done" : s.Number == result.FailedStatement ? result.Outcome : result.Outcome is "dry-run" or "refused" ? "planned" : "not done";
        if (format == OutputFormat.Json)
        {
            new JsonStatusSink(output).Write(new Dictionary<string, object?>
            {
                ["type"] = "result",
                ["command"] = "migrate",
                ["outcome"] = result.Outcome,
                ["exit_code"] = result.ExitCode,
                ["message"] = result.Message,
                ["refusals"] = result.Refusals,
                ["steps"] = result.Steps.Select(s => new Dictionary<string, object?>
                {
                    ["statement"] = s.Number,
                    ["file"] = s.Statement.File,
                    ["line"] = s.Statement.Line,
                    ["sql"] = s.Statement.Text,
                    ["method"] = MigrationStep.MethodName(s.Method),
                    ["runs"] = s.Sql,
                    ["lock"] = s.Lock,
                    ["estimated_seconds"] = s.Estimate is { } e ? Math.Round(e.TotalSeconds, 1) : null,
                    ["reason"] = s.Reason,
                    ["status"] = Status(s),
                }).ToList(),
                ["done"] = result.Done,
                ["not_done"] = result.NotDone,
                ["failed_statement"] = result.FailedStatement,
                ["step_exit_code"] = result.StepExitCode,
                ["duration_seconds"] = Math.Round(result.Duration.TotalSeconds, 2),
            });
            return;
        }

        if (result.Steps.Count > 0)
        {
            output.WriteLine(Row("#", "statement", "method", "lock", "estimate", "status"));
            foreach (var step in result.Steps)
            {
                var estimate = step.Estimate is { } e ? e == TimeSpan.Zero ? "instant" : StatusText.Duration(e) : "—";
                output.WriteLine(Row(step.Number.ToString(CultureInfo.InvariantCulture), step.Statement.Head, MigrationStep.MethodName(step.Method), step.Lock, estimate, Status(step)));
                output.WriteLine($"     why: {step.Reason}");
            }

            output.WriteLine();
        }

        var w = result.ExitCode == ExitCodes.Success ? output : error;
        foreach (var refusal in result.Refusals)
        {
            w.WriteLine($"refused: {refusal}");
        }

        if (result.Outcome is not ("dry-run" or "completed" or "refused") && result.Steps.Count > 0)
        {
            w.WriteLine($"done: {(result.Done.Count == 0 ? "none" : string.Join(", ", result.Done))}; not done: {(result.NotDone.Count == 0 ? "none" : string.Join(", ", result.NotDone))}");
        }

        if (result.Message is not null)
        {
            w.WriteLine(result.ExitCode == ExitCodes.Success ? result.Message : $"error: {result.Message}");
        }
    }

    private static string Row(string number, string statement, string method, string lockText, string estimate, string status) =>
        $"{number,3}  {Cut(statement, 44),-44}  {method,-16}  {Cut(lockText, 48),-48}  {estimate,-10}  {status}";

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
