using ShadowCopy.Cli.Commands.Plan;
using ShadowCopy.Cli.Output;
using ShadowCopy.Lint.Plan;

namespace ShadowCopy.Cli.Commands.Alter;

/// <summary>Prints the plan and lint review of a dry run: a text block, or one JSON line of type "review".</summary>
internal static class DryRunReviewPrinter
{
    public static void Print(ChangeReviewResult review, OutputFormat format, TextWriter output)
    {
        if (format == OutputFormat.Json)
        {
            new JsonStatusSink(output).Write(new Dictionary<string, object?>
            {
                ["type"] = "review",
                ["plan"] = review.Plan is null ? null : PlanJsonOutput.ToDictionary(review.Plan),
                ["plan_error"] = review.PlanFailure?.Message,
            });
            return;
        }

        output.WriteLine();
        output.WriteLine("-- cost and lint (shadowcopy plan) -------------------------------------------");
        if (review.Plan is null)
        {
            output.WriteLine($"plan unavailable: {review.PlanFailure?.Message}");
            return;
        }

        PlanTextOutput.Write(review.Plan, output);
        output.WriteLine();
    }
}
