namespace ShadowCopy.Lint.Plan;

/// <summary>What a provider's planner gathered from the server; <see cref="NativeStatement"/> is the exact statement to run natively.</summary>
public sealed record PlanEvidence(LintTarget Target, string Table, string NativeStatement, DdlProbe Probe, TableSize Size);
