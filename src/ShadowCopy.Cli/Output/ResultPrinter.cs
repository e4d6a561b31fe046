using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;
using System.Globalization;
using ShadowCopy.Core.Engine;

namespace ShadowCopy.Cli.Output;

/// <summary>The final summary, as text or as one JSON line.</summary>
internal static class ResultPrinter
{
    public static void Print(AlterResult result, OutputFormat format, TextWriter output, TextWriter error)
    {
        if (format == OutputFormat.Json)
        {
            new JsonStatusSink(output).Write(new Dictionary<string, object?>
            {
                ["type"] = "result",
                ["outcome"] = result.Outcome,
                ["exit_code"] = result.ExitCode,
                ["message"] = result.Message,
                ["refusal"] = result.RefusalId,
                ["rows_copied"] = result.RowsCopied,
                ["changes_applied"] = result.ChangesApplied,
                ["chunks_verified"] = result.ChunksVerified,
                ["rows_verified"] = result.RowsVerified,
                ["chunks_recopied"] = result.ChunksRecopied,
                ["rows_verified_after_copy"] = result.RowsVerifiedAfterCopy,
                ["rows_reapplied"] = result.RowsReapplied,
                ["cut_over_lock_wait_ms"] = result.CutOverLockWaitMs,
                ["cut_over_attempts"] = result.CutOverAttempts,
                ["app_latency_baseline_ms"] = JsonStatusSink.Ms(result.AppLatencyBaseline),
                ["app_latency_budget_ms"] = JsonStatusSink.Ms(result.AppLatencyBudget),
                ["app_latency_paced_seconds"] = Math.Round(result.AppLatencyPaced.TotalSeconds, 2),
                ["duration_seconds"] = Math.Round(result.Duration.TotalSeconds, 2),
                ["shadow_table"] = result.ShadowTable,
                ["old_table"] = result.OldTable,
                ["old_table_dropped"] = result.OldTableDropped,
                ["estimated_rows"] = result.EstimatedRows,
                ["sample_rows_per_second"] = result.SampleRowsPerSecond is null ? null : Math.Round(result.SampleRowsPerSecond.Value, 1),
                ["estimated_copy_seconds"] = result.EstimatedCopyDuration is null ? null : Math.Round(result.EstimatedCopyDuration.Value.TotalSeconds, 1),
                ["warnings"] = result.Warnings,
                ["plan"] = result.Plan.Select(p => new Dictionary<string, object?> { ["step"] = p.Step, ["sql"] = p.Sql, ["executed_in_dry_run"] = p.ExecutedInDryRun, ["lock"] = p.Lock }).ToList(),
            });
            return;
        }

        var w = result.ExitCode == ExitCodes.Success ? output : error;
        if (result.Outcome == "dry-run")
        {
            PrintPlan(result, output);
        }

        if (result.Message is not null)
        {
            w.WriteLine(result.RefusalId is null ? result.Message : $"refused [{result.RefusalId}]: {result.Message}");
        }

        foreach (var warning in result.Warnings)
        {
            w.WriteLine($"warning: {warning}");
        }

        w.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{result.Outcome}: rows copied {result.RowsCopied:N0}, changes applied {result.ChangesApplied:N0}, chunks verified {result.ChunksVerified:N0} ({result.RowsVerified:N0} rows, re-copied {result.ChunksRecopied}), rows verified after the copy {result.RowsVerifiedAfterCopy:N0} (re-applied {result.RowsReapplied:N0}), cut-over lock wait {result.CutOverLockWaitMs} ms in {result.CutOverAttempts} attempt(s){AppLatencyGuard.Summary(result.AppLatencyBaseline, result.AppLatencyBudget, result.AppLatencyPaced)}, duration {StatusText.Duration(result.Duration)}"));
        if (result.Outcome == "completed")
        {
            w.WriteLine(result.OldTableDropped
                ? $"the original table ({result.OldTable}) was dropped (--drop-old-table)"
                : $"the original table is kept as {result.OldTable} (drop it when satisfied, or pass --drop-old-table next time)");
        }

        w.WriteLine($"exit code {result.ExitCode}");
    }

    private static void PrintPlan(AlterResult result, TextWriter output)
    {
        output.WriteLine("-- plan (dry run) ------------------------------------------------------------");
        string? step = null;
        foreach (var statement in result.Plan)
        {
            if (statement.Step != step)
            {
                step = statement.Step;
                output.WriteLine();
                output.WriteLine($"-- {step}{(statement.ExecutedInDryRun ? " [executed in the dry run]" : string.Empty)}");
            }

            if (statement.Lock is not null)
            {
                output.WriteLine($"-- lock: {statement.Lock}");
            }

            output.WriteLine(statement.Sql.TrimEnd() + ";");
        }

        output.WriteLine();
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"estimate: {result.EstimatedRows:N0} rows; sampled {result.RowsCopied:N0} rows at {result.SampleRowsPerSecond ?? 0:N0} rows/s; copy would take about {StatusText.Duration(result.EstimatedCopyDuration)} without load or throttling"));
    }
}
