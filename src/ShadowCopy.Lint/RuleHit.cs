using ShadowCopy.Core.Sql;

namespace ShadowCopy.Lint;

/// <summary>A rule's raw report: where, why, and optional per-case overrides of the rule's defaults.</summary>
internal sealed record RuleHit(SqlToken At, string Message, LintSeverity? Severity = null, string? Lock = null, TableEffect? Effect = null);
