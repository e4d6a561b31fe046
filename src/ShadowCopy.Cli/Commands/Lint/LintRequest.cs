using ShadowCopy.Lint;

namespace ShadowCopy.Cli.Commands.Lint;

/// <summary>The command line and config file merged: the command line wins.</summary>
internal sealed record LintRequest(IReadOnlyList<string> Files, LintTarget Target, LintConfig Config, LintSeverity FailOn, string Output, string? VersionAssumption = null);
