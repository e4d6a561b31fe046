using System.Globalization;

namespace ShadowCopy.Core.Model;

/// <summary>Status figures as people read them (progress line, phase names, durations); shared by the CLI and the control socket.</summary>
public static class StatusText
{
    public static string PhaseName(Phase phase) => phase switch
    {
        Phase.CreatingShadow => "creating-shadow",
        Phase.InstallingCapture => "installing-capture",
        Phase.CatchingUp => "catching-up",
        Phase.CuttingOver => "cutting-over",
        Phase.CleaningUp => "cleaning-up",
        _ => phase.ToString().ToLowerInvariant(),
    };

    /// <summary>
    /// Whether a human-readable sink prints a line for entering <paramref name="phase"/>. Every run
    /// starts with preflight, and how it ended is the result line's job: printing those too made a
    /// refused connection five lines where one sentence, the result and the exit code say it all
    /// (issue 13). The JSON sink and the journal still record every transition.
    /// </summary>
    public static bool ShowsPhaseLine(Phase phase) => phase is not (Phase.Preflight or Phase.Done or Phase.Failed or Phase.Cancelled);

    /// <summary>m:ss, or h:mm:ss with total hours ("h" alone is the hours component: 25 h would print 1:00:00).</summary>
    public static string Duration(TimeSpan? span) => span is null
        ? "?"
        : span.Value.TotalHours >= 1
            ? string.Create(CultureInfo.InvariantCulture, $"{(long)span.Value.TotalHours}:{span.Value.Minutes:00}:{span.Value.Seconds:00}")
            : span.Value.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    public static string Line(StatusSnapshot s) => s.Phase == Phase.Backfilling ? BackfillLine(s) : string.Create(
        CultureInfo.InvariantCulture,
        $"{PhaseName(s.Phase)}: copied {s.RowsCopied:N0}/{s.RowsEstimated:N0} rows ({s.Percent:0.0}%), {s.RowsPerSecond:N0} rows/s, ETA {Duration(s.Eta)}, backlog {s.ChangeBacklog:N0}, applied {s.ChangesApplied:N0}, chunk {s.ChunkSize:N0}{(s.ThrottleReason is null ? string.Empty : $", throttled: {s.ThrottleReason}")}{(s.CaptureDetail is null ? string.Empty : $", {s.CaptureDetail}")}{LatencyPart(s)}, elapsed {Duration(s.Elapsed)}");

    /// <summary>A backfill's line: key positions processed of the estimate, remaining, rows updated, rate, ETA, batch size.</summary>
    public static string BackfillLine(StatusSnapshot s) => string.Create(
        CultureInfo.InvariantCulture,
        $"{PhaseName(s.Phase)}: processed {s.RowsCopied:N0}/{s.RowsEstimated:N0} rows ({s.Percent:0.0}%), remaining {Math.Max(0, s.RowsEstimated - s.RowsCopied):N0}, updated {s.ChangesApplied:N0}, {s.RowsPerSecond:N0} rows/s, ETA {Duration(s.Eta)}, batch {s.ChunkSize:N0}{(s.ThrottleReason is null ? string.Empty : $", throttled: {s.ThrottleReason}")}{LatencyPart(s)}, elapsed {Duration(s.Elapsed)}");

    private static string LatencyPart(StatusSnapshot s) => s.AppLatencyDetail is null ? string.Empty : $", {s.AppLatencyDetail}";
}
