using System.Text.Json;
using ShadowCopy.Cli.Commands.Lint;
using ShadowCopy.Lint.Plan;

namespace ShadowCopy.Cli.Commands.Plan;

internal static class PlanJsonOutput
{
    public static void Write(PlanResult result, TextWriter output) => output.WriteLine(JsonSerializer.Serialize(ToDictionary(result)));

    /// <summary>The plan as a JSON object (also embedded in the alter dry run's "review" line).</summary>
    public static Dictionary<string, object?> ToDictionary(PlanResult result)
    {
        var input = result.Input;
        return new Dictionary<string, object?>
        {
            ["table"] = input.Table,
            ["engine"] = input.Target.Dialect.ToString().ToLowerInvariant(),
            ["server_version"] = input.Target.Version.ToString(),
            ["alter"] = input.Alter,
            ["recommendation"] = result.Verdict switch { PlanVerdict.Native => "native", PlanVerdict.OnlineCopy => "online-copy", _ => "refuse" },
            ["reason"] = result.Reason,
            ["native_statement"] = result.NativeStatement,
            ["shadowcopy_arguments"] = result.ShadowCopyArguments,
            ["estimated_copy_seconds"] = result.EstimatedCopyDuration is { } d ? Math.Round(d.TotalSeconds, 1) : null,
            ["rate_assumed"] = result.RateAssumed,
            ["cost"] = PlanTextOutput.Cost(input.Probe.Cost),
            ["lock"] = input.Probe.LockMode,
            ["server_error"] = input.Probe.ServerError,
            ["attempts"] = input.Probe.Attempts,
            ["estimated_rows"] = input.Size.EstimatedRows,
            ["total_bytes"] = input.Size.TotalBytes,
            ["sample_rows_per_second"] = input.Size.SampleRowsPerSecond is { } r ? Math.Round(r, 1) : null,
            ["lint"] = input.Findings.Select(f => new Dictionary<string, object?> { ["rule"] = f.RuleId, ["severity"] = LintTextOutput.Severity(f.Severity), ["message"] = f.Message }).ToList(),
        };
    }
}
