namespace ShadowCopy.Lint.Plan;

/// <summary>The recommendation with its evidence; <see cref="ShadowCopyArguments"/> are unquoted words for <c>shadowcopy</c>.</summary>
public sealed record PlanResult(
    PlanInput Input,
    PlanVerdict Verdict,
    string Reason,
    string? NativeStatement,
    IReadOnlyList<string>? ShadowCopyArguments,
    TimeSpan? EstimatedCopyDuration,
    bool RateAssumed);
