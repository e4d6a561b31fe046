namespace ShadowCopy.Lint;

/// <summary>
/// The stable description of a rule: the id never changes once released (configs and inline
/// suppressions name it), the texts may improve.
/// </summary>
public sealed record LintRuleInfo(
    string Id,
    LintSeverity Severity,
    string Title,
    string Lock,
    TableEffect Effect,
    string SafeAlternative,
    IReadOnlyList<LintDialect> Dialects);
