namespace ShadowCopy.Lint;

/// <summary>One problem at one place; line and column are 1-based, columns count UTF-16 code units.</summary>
public sealed record LintFinding(
    string RuleId,
    LintSeverity Severity,
    string File,
    int Line,
    int Column,
    string Message,
    string Lock,
    TableEffect Effect,
    string SafeAlternative,
    string Statement);
