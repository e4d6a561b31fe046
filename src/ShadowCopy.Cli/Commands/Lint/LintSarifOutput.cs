using System.Text.Json;
using ShadowCopy.Lint;

namespace ShadowCopy.Cli.Commands.Lint;

/// <summary>SARIF 2.1.0 (OASIS), the format code-scanning UIs ingest: one run, every rule described, one result per finding.</summary>
internal static class LintSarifOutput
{
    public static void Write(IReadOnlyList<LintFinding> findings, TextWriter output)
    {
        var rules = Linter.Rules;
        var sarif = new Dictionary<string, object?>
        {
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["version"] = "2.1.0",
            ["runs"] = new[]
            {
                new Dictionary<string, object?>
                {
                    ["tool"] = new Dictionary<string, object?>
                    {
                        ["driver"] = new Dictionary<string, object?>
                        {
                            ["name"] = "shadowcopy lint",
                            ["rules"] = rules.Select(r => new Dictionary<string, object?>
                            {
                                ["id"] = r.Id,
                                ["shortDescription"] = new Dictionary<string, object?> { ["text"] = r.Title },
                                ["help"] = new Dictionary<string, object?> { ["text"] = r.SafeAlternative },
                                ["defaultConfiguration"] = new Dictionary<string, object?> { ["level"] = Level(r.Severity) },
                                ["properties"] = new Dictionary<string, object?> { ["lock"] = r.Lock, ["effect"] = r.Effect.ToString().ToLowerInvariant() },
                            }).ToList(),
                        },
                    },
                    ["results"] = findings.Select(f => new Dictionary<string, object?>
                    {
                        ["ruleId"] = f.RuleId,
                        ["ruleIndex"] = rules.Select(r => r.Id).ToList().IndexOf(f.RuleId),
                        ["level"] = Level(f.Severity),
                        ["message"] = new Dictionary<string, object?> { ["text"] = $"{f.Message}. Instead: {f.SafeAlternative}" },
                        ["locations"] = new[]
                        {
                            new Dictionary<string, object?>
                            {
                                ["physicalLocation"] = new Dictionary<string, object?>
                                {
                                    ["artifactLocation"] = new Dictionary<string, object?> { ["uri"] = f.File.Replace('\\', '/') },
                                    ["region"] = new Dictionary<string, object?> { ["startLine"] = f.Line, ["startColumn"] = f.Column },
                                },
                            },
                        },
                        ["properties"] = new Dictionary<string, object?> { ["lock"] = f.Lock, ["effect"] = f.Effect.ToString().ToLowerInvariant() },
                    }).ToList(),
                },
            },
        };
        output.WriteLine(JsonSerializer.Serialize(sarif));
    }

    private static string Level(LintSeverity severity) => severity switch
    {
        LintSeverity.Error => "error",
        LintSeverity.Warning => "warning",
        _ => "note",
    };
}
