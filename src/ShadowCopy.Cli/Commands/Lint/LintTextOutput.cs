using System.Globalization;
using ShadowCopy.Lint;

namespace ShadowCopy.Cli.Commands.Lint;

/// <summary>Compiler-style lines (file:line:column: severity rule: message) plus the lock, effect and safe alternative.</summary>
internal static class LintTextOutput
{
    public static void Write(IReadOnlyList<LintFinding> findings, LintRequest request, TextWriter output)
    {
        foreach (var f in findings)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{f.File}:{f.Line}:{f.Column}: {Severity(f.Severity)} [{f.RuleId}] {f.Message}"));
            output.WriteLine($"    lock: {f.Lock}; table: {Effect(f.Effect)}");
            output.WriteLine($"    instead: {f.SafeAlternative}");
        }

        var errors = findings.Count(f => f.Severity == LintSeverity.Error);
        var warnings = findings.Count(f => f.Severity == LintSeverity.Warning);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{request.Files.Count} file(s) checked for {request.Target.Dialect} {KnownReleases.Format(request.Target.Dialect, request.Target.Version)}{(request.VersionAssumption is null ? string.Empty : $" ({request.VersionAssumption})")}: {errors} error(s), {warnings} warning(s), {findings.Count - errors - warnings} info; failing at {Severity(request.FailOn)} and above"));
    }

    public static void WriteRules(IReadOnlyList<LintRuleInfo> rules, TextWriter output)
    {
        foreach (var rule in rules)
        {
            output.WriteLine($"{rule.Id,-38} {Severity(rule.Severity),-7} {string.Join(",", rule.Dialects).ToLowerInvariant(),-24} {rule.Title}");
        }
    }

    public static string Severity(LintSeverity severity) => severity.ToString().ToLowerInvariant();

    public static string Effect(TableEffect effect) => effect switch
    {
        TableEffect.Rewrite => "rewritten",
        TableEffect.Scan => "scanned",
        _ => "neither scanned nor rewritten",
    };
}
