using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli.Output;

/// <summary>One JSON object per line: {"type":"status"|"phase"|"message"|"result", …}.</summary>
internal sealed class JsonStatusSink(TextWriter writer) : IStatusSink
{
    private readonly Lock _gate = new();

    public void OnStatus(StatusSnapshot status) => Write(status.Phase == Phase.Backfilling ? Backfill(status) : new Dictionary<string, object?>
    {
        ["type"] = "status",
        ["phase"] = StatusText.PhaseName(status.Phase),
        ["rows_copied"] = status.RowsCopied,
        ["rows_estimated"] = status.RowsEstimated,
        ["percent"] = Math.Round(status.Percent, 2),
        ["rows_per_second"] = Math.Round(status.RowsPerSecond, 1),
        ["eta_seconds"] = status.Eta is null ? null : Math.Round(status.Eta.Value.TotalSeconds, 1),
        ["change_backlog"] = status.ChangeBacklog,
        ["changes_applied"] = status.ChangesApplied,
        ["chunk_size"] = status.ChunkSize,
        ["throttle_reason"] = status.ThrottleReason,
        ["capture"] = status.CaptureDetail,
        ["rows_verified_after_copy"] = status.RowsVerifiedAfterCopy,
        ["rows_unverified"] = status.RowsUnverified,
        ["app_latency_ms"] = Ms(status.AppLatency),
        ["app_latency_budget_ms"] = Ms(status.AppLatencyBudget),
        ["app_latency_paced_seconds"] = Math.Round(status.AppLatencyPaced.TotalSeconds, 2),
        ["elapsed_seconds"] = Math.Round(status.Elapsed.TotalSeconds, 1),
    });

    /// <summary>Milliseconds to 3 decimals for JSON; null stays null.</summary>
    internal static double? Ms(TimeSpan? value) => value is null ? null : Math.Round(value.Value.TotalMilliseconds, 3);

    /// <summary>A backfill's status line: key positions processed and remaining, rows updated, rate, ETA, batch size.</summary>
    private static Dictionary<string, object?> Backfill(StatusSnapshot status) => new()
    {
        ["type"] = "status",
        ["phase"] = StatusText.PhaseName(status.Phase),
        ["rows_processed"] = status.RowsCopied,
        ["rows_estimated"] = status.RowsEstimated,
        ["rows_remaining"] = Math.Max(0, status.RowsEstimated - status.RowsCopied),
        ["rows_updated"] = status.ChangesApplied,
        ["percent"] = Math.Round(status.Percent, 2),
        ["rows_per_second"] = Math.Round(status.RowsPerSecond, 1),
        ["eta_seconds"] = status.Eta is null ? null : Math.Round(status.Eta.Value.TotalSeconds, 1),
        ["batch_size"] = status.ChunkSize,
        ["throttle_reason"] = status.ThrottleReason,
        ["app_latency_ms"] = Ms(status.AppLatency),
        ["app_latency_budget_ms"] = Ms(status.AppLatencyBudget),
        ["app_latency_paced_seconds"] = Math.Round(status.AppLatencyPaced.TotalSeconds, 2),
        ["elapsed_seconds"] = Math.Round(status.Elapsed.TotalSeconds, 1),
    };

    public void OnPhase(Phase from, Phase to, string? detail) => Write(new Dictionary<string, object?>
    {
        ["type"] = "phase",
        ["from"] = StatusText.PhaseName(from),
        ["to"] = StatusText.PhaseName(to),
        ["detail"] = detail,
    });

    public void OnMessage(string message) => Write(new Dictionary<string, object?> { ["type"] = "message", ["message"] = message });

    public void Write(Dictionary<string, object?> payload)
    {
        var line = JsonSerializer.Serialize(payload);
        lock (_gate)
        {
            writer.WriteLine(line);
            writer.Flush();
        }
    }
}
