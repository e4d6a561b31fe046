namespace ShadowCopy.Lint;

/// <summary>Ordered: a finding fails the run when its severity is at or above --fail-on.</summary>
public enum LintSeverity
{
    Info = 0,
    Warning = 1,
    Error = 2,
}
