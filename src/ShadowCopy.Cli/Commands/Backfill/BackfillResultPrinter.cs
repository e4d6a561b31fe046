using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;
using System.Globalization;
using ShadowCopy.Cli.Output;
using ShadowCopy.Core.Backfill;
using ShadowCopy.Core.Engine;

namespace ShadowCopy.Cli.Commands.Backfill;

/// <summary>A backfill's plan (dry run) or its verification report, as text or as one JSON line.</summary>
internal static class BackfillResultPrinter
{
    public static void Print(BackfillResult result, OutputFormat format, TextWriter output, TextWriter error)
    {
        if (format == OutputFormat.Json)
        {
            new JsonStatusSink(output).Write(new Dictionary<string, object?>
            {
                ["type"] = "result",
                ["command"] = "backfill",
                ["outcome"] = result.Outcome,
                ["exit_code"] = result.ExitCode,
                ["message"] = result.Message,
                ["refusal"] = result.RefusalId,
                ["key"] = result.KeyColumns,
                ["batches"] = result.Batches,
                ["batches_this_run"] = result.BatchesThisRun,
                ["rows_processed"] = result.RowsProcessed,
                ["rows_updated"] = result.RowsUpdated,
                ["rows_total"] = result.Report?.TotalRows,
                ["rows_remaining"] = result.Report?.RemainingRows,
                ["rows_drifted"] = result.Report?.DriftedRows,
                ["estimated_rows"] = result.EstimatedRows,
                ["batch_size"] = result.BatchSize,
                ["estimated_batches"] = result.EstimatedBatches,
                ["sample_rows_per_second"] = result.SampleRowsPerSecond is null ? null : Math.Round(result.SampleRowsPerSecond.Value, 1),
                ["estimated_seconds"] = result.EstimatedDuration is null ? null : Math.Round(result.EstimatedDuration.Value.TotalSeconds, 1),
                ["app_latency_baseline_ms"] = JsonStatusSink.Ms(result.AppLatencyBaseline),
                ["app_latency_budget_ms"] = JsonStatusSink.Ms(result.AppLatencyBudget),
                ["app_latency_paced_seconds"] = Math.Round(result.AppLatencyPaced.TotalSeconds, 2),
                ["duration_seconds"] = Math.Round(result.Duration.TotalSeconds, 2),
                ["plan"] = result.Plan.Select(p => new Dictionary<string, object?> { ["step"] = p.Step, ["sql"] = p.Sql, ["executed_in_dry_run"] = p.ExecutedInDryRun, ["lock"] = p.Lock }).ToList(),
            });
            return;
        }

        var w = result.ExitCode == ExitCodes.Success ? output : error;
        if (result.Outcome == "dry-run")
        {
            output.WriteLine("-- backfill plan (dry run) ---------------------------------------------------");
            output.WriteLine($"-- key: ({string.Join(", ", result.KeyColumns)}), batches in key order");
            foreach (var statement in result.Plan)
            {
                output.WriteLine();
                output.WriteLine($"-- {statement.Step}{(statement.Lock is null ? string.Empty : $"; lock: {statement.Lock}")}");
                output.WriteLine(statement.Sql.TrimEnd() + ";");
            }

            output.WriteLine();
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"estimate: {result.EstimatedRows:N0} rows; batch size {result.BatchSize:N0} → about {result.EstimatedBatches:N0} batches; sample batch {result.SampleRowsPerSecond ?? 0:N0} rows/s (rolled back) → about {StatusText.Duration(result.EstimatedDuration)} without load or throttling"));
        }

        if (result.Message is not null)
        {
            w.WriteLine(result.RefusalId is null ? result.Message : $"refused [{result.RefusalId}]: {result.Message}");
        }

        if (result.Report is { } report)
        {
            w.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"report: total rows {report.TotalRows:N0}, still matching --where {(report.RemainingRows?.ToString("N0", CultureInfo.InvariantCulture) ?? "-")}, matching --verify (drift) {(report.DriftedRows?.ToString("N0", CultureInfo.InvariantCulture) ?? "-")}"));
        }

        if (result.Outcome is not ("dry-run" or "refused"))
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Outcome}: batches {result.Batches:N0} ({result.BatchesThisRun:N0} this run), rows processed {result.RowsProcessed:N0}, rows updated {result.RowsUpdated:N0}{AppLatencyGuard.Summary(result.AppLatencyBaseline, result.AppLatencyBudget, result.AppLatencyPaced)}, duration {StatusText.Duration(result.Duration)}"));
        }

        w.WriteLine($"exit code {result.ExitCode}");
    }
}
