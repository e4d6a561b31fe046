namespace ShadowCopy.Lint.Plan;

/// <summary>The plan (null when the planner failed, with <see cref="PlanFailure"/> saying why) and the lint findings of the ALTER.</summary>
public sealed record ChangeReviewResult(PlanResult? Plan, IReadOnlyList<LintFinding> Findings, Exception? PlanFailure);
