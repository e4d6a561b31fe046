namespace ShadowCopy.Lint.Plan;

/// <summary>Everything the advisor weighs: the server's probe, the sizes, and the lint findings for the same ALTER.</summary>
public sealed record PlanInput(
    LintTarget Target,
    string Table,
    string Alter,
    string NativeStatement,
    DdlProbe Probe,
    TableSize Size,
    IReadOnlyList<LintFinding> Findings);
