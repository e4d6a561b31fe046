using System.Text.Json;

namespace ShadowCopy.Lint;

/// <summary>
/// The lint configuration file (JSON): which rules are off, severity overrides, and defaults
/// for engine, target version and --fail-on that the command line may override.
/// </summary>
public sealed record LintConfig(
    IReadOnlySet<string> Disabled,
    IReadOnlyDictionary<string, LintSeverity> Severities,
    string? Engine,
    string? TargetVersion,
    LintSeverity? FailOn)
{
    public static LintConfig Empty { get; } = new(new HashSet<string>(), new Dictionary<string, LintSeverity>(), null, null, null);

    /// <summary>Parses <c>{"engine":"postgres","targetVersion":"15","failOn":"warning","disable":["id"],"severity":{"id":"error"}}</c>.</summary>
    public static LintConfig Parse(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the lint config must be a JSON object");
        }

        var disabled = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("disable", out var disable))
        {
            foreach (var item in disable.EnumerateArray())
            {
                disabled.Add(item.GetString() ?? throw new FormatException("disable: rule ids are strings"));
            }
        }

        var severities = new Dictionary<string, LintSeverity>(StringComparer.OrdinalIgnoreCase);
        if (root.TryGetProperty("severity", out var severity))
        {
            foreach (var property in severity.EnumerateObject())
            {
                severities[property.Name] = ParseSeverity(property.Value.GetString());
            }
        }

        return new LintConfig(
            disabled,
            severities,
            root.TryGetProperty("engine", out var engine) ? engine.GetString() : null,
            root.TryGetProperty("targetVersion", out var version) ? version.GetString() : null,
            root.TryGetProperty("failOn", out var failOn) ? ParseSeverity(failOn.GetString()) : null);
    }

    public static LintSeverity ParseSeverity(string? text) => text?.Trim().ToUpperInvariant() switch
    {
        "INFO" => LintSeverity.Info,
        "WARNING" or "WARN" => LintSeverity.Warning,
        "ERROR" => LintSeverity.Error,
        _ => throw new FormatException($"severity must be info, warning or error, not '{text}'"),
    };
}
