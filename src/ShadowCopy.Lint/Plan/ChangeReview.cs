using ShadowCopy.Core.Schema;

namespace ShadowCopy.Lint.Plan;

/// <summary>
/// Plan plus lint for one ALTER: what <c>shadowcopy plan</c> prints, packaged for the alter dry
/// run. A planner failure is reported, not thrown: a dry run must not fail because the advice did.
/// </summary>
public static class ChangeReview
{
    /// <summary>The plan states its own lock advice and algorithm, so these two would only repeat it.</summary>
    public static LintConfig LintConfig { get; } = LintConfig.Empty with
    {
        Disabled = new HashSet<string>(StringComparer.Ordinal) { "require-lock-timeout", "require-algorithm-lock" },
    };

    public static async Task<ChangeReviewResult> RunAsync(IChangePlanner planner, TableName table, string tableText, string alter, string dsn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(planner);
        PlanEvidence evidence;
        try
        {
            evidence = await planner.PlanAsync(table, alter, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // Connection loss, missing table, a driver error: the review is advice, so it reports.
            return new ChangeReviewResult(null, [], failure);
        }

        var findings = new Linter(LintConfig).Lint("--alter", $"ALTER TABLE {tableText} {alter};", evidence.Target);
        var input = new PlanInput(evidence.Target, tableText, alter, evidence.NativeStatement, evidence.Probe, evidence.Size, findings);
        return new ChangeReviewResult(PlanAdvisor.Decide(input, dsn), findings, null);
    }
}
