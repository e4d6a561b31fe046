using System.Text.Json;
using ShadowCopy.Lint;

namespace ShadowCopy.Cli.Commands.Lint;

/// <summary>One JSON document: the target, every finding (snake_case keys like the alter output) and counts.</summary>
internal static class LintJsonOutput
{
    public static void Write(IReadOnlyList<LintFinding> findings, LintRequest request, TextWriter output)
    {
        var document = new Dictionary<string, object?>
        {
            ["engine"] = request.Target.Dialect.ToString().ToLowerInvariant(),
            ["target_version"] = KnownReleases.Format(request.Target.Dialect, request.Target.Version),
            ["target_version_assumed"] = request.VersionAssumption,
            ["fail_on"] = LintTextOutput.Severity(request.FailOn),
            ["findings"] = findings.Select(f => new Dictionary<string, object?>
            {
                ["rule"] = f.RuleId,
                ["severity"] = LintTextOutput.Severity(f.Severity),
                ["file"] = f.File,
                ["line"] = f.Line,
                ["column"] = f.Column,
                ["message"] = f.Message,
                ["lock"] = f.Lock,
                ["rewrites_table"] = f.Effect == TableEffect.Rewrite,
                ["scans_table"] = f.Effect is TableEffect.Scan or TableEffect.Rewrite,
                ["safe_alternative"] = f.SafeAlternative,
                ["statement"] = f.Statement,
            }).ToList(),
            ["counts"] = Enum.GetValues<LintSeverity>().ToDictionary(LintTextOutput.Severity, s => findings.Count(f => f.Severity == s)),
        };
        output.WriteLine(JsonSerializer.Serialize(document));
    }
}
