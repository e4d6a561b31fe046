using System.Runtime.CompilerServices;
using System.Text;
using ShadowCopy.Lint;

namespace ShadowCopy.Lint.Tests.Rules;

/// <summary>docs/lint-rules.md must describe every rule with a bad and a good example.</summary>
public sealed class LintRulesDocTests
{
    [Fact]
    public void LintRulesDoc_everyRule_hasSectionWithBadAndGoodExample()
    {
        var doc = File.ReadAllText(DocPath());
        foreach (var rule in Linter.Rules)
        {
            var at = doc.IndexOf($"\n## `{rule.Id}`", StringComparison.Ordinal);
            Assert.True(at >= 0, $"no section for {rule.Id}");
            var next = doc.IndexOf("\n## ", at + 4, StringComparison.Ordinal);
            var section = doc[at..(next < 0 ? doc.Length : next)];
            Assert.Contains("Bad (", section, StringComparison.Ordinal);
            Assert.Contains("Good:", section, StringComparison.Ordinal);
        }
    }

    /// <summary>Renders the rule sections to docs/lint-rules.generated.md (SHADOWCOPY_WRITE_LINT_DOCS=1 dotnet test --filter LintRulesDoc_render), to paste under "## Rules" after a rule changes.</summary>
    [Fact]
    public void LintRulesDoc_render_whenAsked()
    {
        if (Environment.GetEnvironmentVariable("SHADOWCOPY_WRITE_LINT_DOCS") != "1")
        {
            return;
        }

        var cases = RuleCases.All.ToDictionary(row => (string)row[0], row => row);
        var builder = new StringBuilder();
        foreach (var rule in Linter.Rules)
        {
            var row = cases[rule.Id];
            var (engine, version, bad, good) = ((string)row[1], (string)row[2], (string)row[3], (string)row[4]);
            var finding = LintHelper.Lint(bad, engine, version).First(f => f.RuleId == rule.Id);
            builder.Append(CultureInfoInvariant($"\n## `{rule.Id}`\n\n{rule.Title}.\n\n"));
            builder.Append(CultureInfoInvariant($"| severity | engines | lock | table |\n|---|---|---|---|\n| {rule.Severity.ToString().ToLowerInvariant()} | {string.Join(", ", rule.Dialects).ToLowerInvariant()} | {rule.Lock} | {rule.Effect.ToString().ToLowerInvariant()} |\n\n"));
            builder.Append(CultureInfoInvariant($"Why: {finding.Message}.\n\nBad ({engine} {version}):\n\n```sql\n{bad}\n```\n\nGood:\n\n```sql\n{good}\n```\n\nInstead: {rule.SafeAlternative}\n"));
        }

        File.WriteAllText(Path.Combine(Path.GetDirectoryName(DocPath())!, "lint-rules.generated.md"), builder.ToString());
    }

    private static string CultureInfoInvariant(FormattableString text) => FormattableString.Invariant(text);

    private static string DocPath([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "..", "..", "docs", "lint-rules.md"));
}
