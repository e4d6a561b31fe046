using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Control;

/// <summary>
/// The commands of the control socket (one line each, as gh-ost's interactive commands) applied
/// to a <see cref="RunControl"/>. Replies are text for a person; errors start with <c>error:</c>
/// and say what to send instead. Every command is reported through <see cref="RunControl.NotifyCommand"/>.
/// </summary>
public static class ControlCommands
{
    public const string ErrorPrefix = "error: ";

    public const string Help = """
        commands (one per connection):
          status                  phase, progress, rate, ETA, backlog, chunk, throttle and postpone reasons,
                                  revertibility (--revertible: since when, behind, held)
          status json             the same as one JSON object
          throttle | no-throttle  pause / resume copying (captured changes keep being applied)
          chunk-size=N            rows of the next chunk (then it adapts to chunk-time again)
          chunk-time=DUR          target time per chunk, e.g. 500ms, 2s
          max-lag=DUR|none        throttle while a replica lags more than DUR
          max-app-latency=DUR|auto|off  pace copy, verification and batches while the key-read latency is above DUR
          max-load=Name=N,…       throttle while a server metric is above its limit (empty: none)
          critical-load=Name=N,…  abort when a server metric is above its limit (empty: none)
          postpone-cut-over       keep in sync after verification and wait
          unpostpone              let the cut-over proceed
          panic                   abort now and remove every helper object (exit 9; before the swap only)
          help                    this list
        """;

    /// <summary>Runs one command line; returns the reply (starting with <see cref="ErrorPrefix"/> on error).</summary>
    public static string Execute(string line, RunControl control)
    {
        ArgumentNullException.ThrowIfNull(control);
        var command = (line ?? string.Empty).Trim();
        string reply;
        try
        {
            reply = Apply(command, control);
        }
        catch (Exception error) when (error is ArgumentException or FormatException)
        {
            reply = ErrorPrefix + error.Message;
        }

        control.NotifyCommand(command, reply);
        return reply;
    }

    private static string Apply(string command, RunControl control)
    {
        var (name, value) = Split(command);
        switch (name)
        {
            case "":
                throw new ArgumentException("empty command; send 'help' for the list");
            case "help":
                return Help;
            case "status" when value is null:
                return StatusReport(control);
            case "status" when value == "json":
                return StatusJson(control);
            case "throttle":
                NoValue(name, value);
                control.ManualThrottle = true;
                return "ok: copying paused by the operator (captured changes keep being applied); send no-throttle to resume";
            case "no-throttle":
                NoValue(name, value);
                control.ManualThrottle = false;
                return "ok: operator throttle lifted (other throttle reasons still apply)";
            case "chunk-size":
                if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rows) || rows < 1)
                {
                    throw new ArgumentException($"chunk-size takes a positive number of rows, e.g. chunk-size=5000, not '{value}'");
                }

                control.RequestChunkSize(rows);
                return string.Create(CultureInfo.InvariantCulture, $"ok: the next chunk copies {rows} rows (bounded by --max-chunk-size), then adapts to chunk-time");
            case "chunk-time":
                control.ChunkTime = Duration(name, value);
                return $"ok: chunk-time {value}";
            case "max-lag":
                control.MaxLag = value is "none" or "off" ? null : Duration(name, value);
                return control.MaxLag is null ? "ok: max-lag off" : $"ok: max-lag {value}";
            case "max-app-latency":
                return SetAppLatency(value, control);
            case "max-load":
                control.MaxLoad = LoadThreshold.ParseList(value, "max-load");
                return $"ok: max-load {Describe(control.MaxLoad)}";
            case "critical-load":
                control.CriticalLoad = LoadThreshold.ParseList(value, "critical-load");
                return $"ok: critical-load {Describe(control.CriticalLoad)}";
            case "postpone-cut-over":
                NoValue(name, value);
                control.PostponeCutOver = true;
                return "ok: the cut-over waits (the shadow is kept in sync) until you send unpostpone";
            case "unpostpone":
                NoValue(name, value);
                control.PostponeCutOver = false;
                return "ok: operator postponement lifted; the cut-over proceeds once nothing else holds it";
            case "panic":
                NoValue(name, value);
                control.Panic("operator: ctl panic");
                return "ok: aborting; helper objects are being removed (no effect after the swap)";
            default:
                throw new ArgumentException($"unknown command '{command}'; send 'help' for the list");
        }
    }

    /// <summary>"chunk-size=5", "chunk-size 5" and "status json" all split into name and value.</summary>
    private static (string Name, string? Value) Split(string command)
    {
        var cut = command.IndexOfAny(['=', ' ', '\t']);
        if (cut < 0)
        {
            return (command.ToLowerInvariant(), null);
        }

        return (command[..cut].ToLowerInvariant(), command[(cut + 1)..].Trim());
    }

    private static void NoValue(string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"{name} takes no value; send '{name}'");
        }
    }

    private static TimeSpan Duration(string name, string? value) =>
        DurationParser.TryParse(value, out var duration) && duration > TimeSpan.Zero
            ? duration
            : throw new ArgumentException($"{name} takes a positive duration, e.g. {name}=500ms or {name}=2s, not '{value}'");

    private static string SetAppLatency(string? value, RunControl control)
    {
        switch (value?.ToLowerInvariant())
        {
            case "off" or "none":
                control.AppLatencyOff = true;
                return "ok: max-app-latency off (no latency pacing)";
            case "auto":
                control.MaxAppLatency = null;
                control.AppLatencyOff = false;
                return "ok: max-app-latency auto (3x the baseline, at least 5 ms; a run started with --max-app-latency off has no baseline and stays unpaced)";
            default:
                control.MaxAppLatency = Duration("max-app-latency", value);
                control.AppLatencyOff = false;
                return $"ok: max-app-latency {value} (a run started with --max-app-latency off has no probe and stays unpaced)";
        }
    }

    private static string Describe(IReadOnlyList<LoadThreshold> limits) => limits.Count == 0 ? "none" : string.Join(',', limits);

    private static string StatusReport(RunControl control)
    {
        var s = control.LastStatus;
        var text = new StringBuilder();
        if (s is null)
        {
            text.AppendLine("phase: starting (no status published yet)");
        }
        else
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"phase: {StatusText.PhaseName(s.Phase)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"rows: {s.RowsCopied:N0} / {s.RowsEstimated:N0} ({s.Percent:0.0}%)");
            text.AppendLine(CultureInfo.InvariantCulture, $"rate: {s.RowsPerSecond:N0} rows/s, ETA {StatusText.Duration(s.Eta)}, elapsed {StatusText.Duration(s.Elapsed)}");
            text.AppendLine(CultureInfo.InvariantCulture, $"changes: backlog {s.ChangeBacklog:N0}, applied {s.ChangesApplied:N0}");
            text.AppendLine(CultureInfo.InvariantCulture, $"verified after the copy: {s.RowsVerifiedAfterCopy:N0} rows, {s.RowsUnverified:N0} changed rows still to verify");
            text.AppendLine(CultureInfo.InvariantCulture, $"chunk: size {s.ChunkSize:N0}, last chunk {s.LastChunkRows:N0} rows, target {control.ChunkTime.TotalMilliseconds:0} ms");
            text.AppendLine(CultureInfo.InvariantCulture, $"throttle: {s.ThrottleReason ?? "none"}");
            text.AppendLine(CultureInfo.InvariantCulture, $"app latency: {s.AppLatencyDetail ?? (control.AppLatencyOff ? "guard off" : "not measured")}, paced {s.AppLatencyPaced.TotalSeconds:0.0} s");
            if (s.CaptureDetail is { } detail)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"capture: {detail}");
            }
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"postpone: {control.PostponeReason ?? (control.PostponeCutOver ? "requested by the operator (applies after verification)" : "none")}");
        if (control.Revertible is { } revertible)
        {
            text.AppendLine(string.Join(Environment.NewLine + "  ", revertible.Lines(DateTimeOffset.UtcNow)).Insert(0, "revertible: "));
        }
        else if (control.RevertibleRun)
        {
            text.AppendLine("revertible: from the swap on (--revertible: the reverse triggers are installed in the swap's own step)");
        }

        if (control.PanicReason is { } panic)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"aborting: {panic}");
        }

        return text.ToString().TrimEnd();
    }

    private static string StatusJson(RunControl control)
    {
        var s = control.LastStatus;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("phase", s is null ? "starting" : StatusText.PhaseName(s.Phase));
            json.WriteNumber("rows_copied", s?.RowsCopied ?? 0);
            json.WriteNumber("rows_estimated", s?.RowsEstimated ?? 0);
            json.WriteNumber("percent", Math.Round(s?.Percent ?? 0, 2));
            json.WriteNumber("rows_per_second", Math.Round(s?.RowsPerSecond ?? 0, 1));
            if (s?.Eta is { } eta)
            {
                json.WriteNumber("eta_seconds", Math.Round(eta.TotalSeconds, 1));
            }
            else
            {
                json.WriteNull("eta_seconds");
            }

            json.WriteNumber("elapsed_seconds", Math.Round(s?.Elapsed.TotalSeconds ?? 0, 1));
            json.WriteNumber("backlog", s?.ChangeBacklog ?? 0);
            json.WriteNumber("changes_applied", s?.ChangesApplied ?? 0);
            json.WriteNumber("rows_verified_after_copy", s?.RowsVerifiedAfterCopy ?? 0);
            json.WriteNumber("rows_unverified", s?.RowsUnverified ?? 0);
            json.WriteNumber("chunk_size", s?.ChunkSize ?? 0);
            json.WriteNumber("last_chunk_rows", s?.LastChunkRows ?? 0);
            json.WriteNumber("chunk_time_ms", control.ChunkTime.TotalMilliseconds);
            json.WriteString("throttle_reason", s?.ThrottleReason);
            json.WriteBoolean("operator_throttle", control.ManualThrottle);
            json.WriteString("postpone_reason", control.PostponeReason);
            json.WriteBoolean("postpone_cut_over", control.PostponeCutOver);
            json.WriteString("capture_detail", s?.CaptureDetail);
            if (control.MaxLag is { } lag)
            {
                json.WriteNumber("max_lag_ms", lag.TotalMilliseconds);
            }
            else
            {
                json.WriteNull("max_lag_ms");
            }

            WriteMs(json, "app_latency_ms", s?.AppLatency);
            WriteMs(json, "app_latency_budget_ms", s?.AppLatencyBudget);
            json.WriteNumber("app_latency_paced_ms", Math.Round(s?.AppLatencyPaced.TotalMilliseconds ?? 0));
            json.WriteBoolean("app_latency_off", control.AppLatencyOff);
            json.WriteString("max_load", string.Join(',', control.MaxLoad));
            json.WriteString("critical_load", string.Join(',', control.CriticalLoad));
            json.WriteString("panic_reason", control.PanicReason);
            json.WriteBoolean("revertible_run", control.RevertibleRun);
            if (control.Revertible is { } revertible)
            {
                revertible.WriteJson(json);
            }
            else
            {
                json.WriteNull("revertible");
            }
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteMs(Utf8JsonWriter json, string name, TimeSpan? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Math.Round(v.TotalMilliseconds, 3));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
