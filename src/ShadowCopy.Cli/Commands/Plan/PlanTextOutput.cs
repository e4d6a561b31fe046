using System.Globalization;
using ShadowCopy.Cli.Commands.Emit;
using ShadowCopy.Cli.Commands.Lint;
using ShadowCopy.Lint.Plan;

namespace ShadowCopy.Cli.Commands.Plan;

internal static class PlanTextOutput
{
    public static void Write(PlanResult result, TextWriter output)
    {
        var input = result.Input;
        var size = input.Size;
        output.WriteLine($"table {input.Table} on {input.Target.Dialect} {input.Target.Version}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  rows ≈ {size.EstimatedRows:N0}, size {size.TotalBytes / 1048576.0:0.#} MiB, copy rate {(size.SampleRowsPerSecond is { } rate ? $"{rate:N0} rows/s (sampled {size.SampledRows:N0} rows)" : "not sampled")}"));
        output.WriteLine($"  server on an empty clone: {Cost(input.Probe.Cost)}{(input.Probe.LockMode is { } mode ? $", lock {mode}" : string.Empty)}");
        foreach (var attempt in input.Probe.Attempts)
        {
            output.WriteLine($"    {attempt}");
        }

        foreach (var f in input.Findings)
        {
            output.WriteLine($"  lint {LintTextOutput.Severity(f.Severity)} [{f.RuleId}] {f.Message}");
        }

        output.WriteLine();
        switch (result.Verdict)
        {
            case PlanVerdict.Native:
                output.WriteLine($"recommendation: native DDL — {result.Reason}");
                output.WriteLine($"  {result.NativeStatement}");
                break;
            case PlanVerdict.OnlineCopy:
                output.WriteLine($"recommendation: online copy with ShadowCopy — {result.Reason}");
                output.WriteLine($"  shadowcopy {string.Join(' ', result.ShadowCopyArguments!.Select(ShellQuote.Quote))}");
                break;
            default:
                output.WriteLine($"recommendation: refuse — {result.Reason}");
                break;
        }
    }

    public static string Cost(DdlCost cost) => cost switch
    {
        DdlCost.MetadataOnly => "metadata-only",
        DdlCost.InplaceNoRebuild => "in place, no rebuild",
        DdlCost.InplaceRebuild => "in place with a table rebuild",
        DdlCost.Rewrite => "table rewrite/copy",
        _ => "rejected",
    };
}
