using System.CommandLine;
using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Lint;

namespace ShadowCopy.Cli.Commands.Lint;

internal static class LintCommand
{
    private const string DefaultConfigFile = ".shadowcopy-lint.json";

    public static async Task<int> RunAsync(ParseResult parse, TextReader input, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (parse.GetValue(LintCommandDefinition.ListRules))
        {
            LintTextOutput.WriteRules(Linter.Rules, output);
            return ExitCodes.Success;
        }

        LintRequest request;
        try
        {
            request = BuildRequest(parse);
        }
        catch (Exception bad) when (bad is FormatException or JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            error.WriteLine($"error: {bad.Message}");
            return ExitCodes.UsageError;
        }

        var linter = new Linter(request.Config);
        var findings = new List<LintFinding>();
        foreach (var file in request.Files)
        {
            string sql;
            try
            {
                sql = file == "-" ? await input.ReadToEndAsync(cancellationToken) : await File.ReadAllTextAsync(file, cancellationToken);
            }
            catch (Exception bad) when (bad is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"error: cannot read {file}: {bad.Message}");
                return ExitCodes.UsageError;
            }

            findings.AddRange(linter.Lint(file == "-" ? "<stdin>" : file, sql, request.Target));
        }

        switch (request.Output)
        {
            case "json":
                LintJsonOutput.Write(findings, request, output);
                break;
            case "sarif":
                LintSarifOutput.Write(findings, output);
                break;
            default:
                LintTextOutput.Write(findings, request, output);
                break;
        }

        return findings.Any(f => f.Severity >= request.FailOn) ? ExitCodes.LintFindings : ExitCodes.Success;
    }

    internal static LintRequest BuildRequest(ParseResult parse)
    {
        var files = parse.GetValue(LintCommandDefinition.Files) ?? [];
        if (files.Length == 0)
        {
            throw new FormatException("name at least one migration file (or - for standard input)");
        }

        var configPath = parse.GetValue(LintCommandDefinition.Config);
        var config = configPath is not null ? LintConfig.Parse(File.ReadAllText(configPath))
            : File.Exists(DefaultConfigFile) ? LintConfig.Parse(File.ReadAllText(DefaultConfigFile))
            : LintConfig.Empty;
        var engineText = parse.GetValue(LintCommandDefinition.Engine) ?? config.Engine
            ?? throw new FormatException("--engine is required: postgres, mysql or mariadb");
        if (!LintTarget.TryParseDialect(engineText, out var dialect))
        {
            throw new FormatException($"--engine must be postgres, mysql or mariadb, not '{engineText}'");
        }

        var versionText = parse.GetValue(LintCommandDefinition.TargetVersion) ?? config.TargetVersion;
        var version = LintTarget.DefaultVersion(dialect);
        var assumption = $"no --target-version: assumed {KnownReleases.Format(dialect, version)}, the oldest version still supported upstream";
        if (versionText is not null && !KnownReleases.TryResolve(dialect, versionText, out version, out assumption))
        {
            throw new FormatException($"--target-version must look like 15, 8.0.29 or 10.11, not '{versionText}'");
        }

        var failOnText = parse.GetValue(LintCommandDefinition.FailOn);
        var failOn = failOnText is not null ? LintConfig.ParseSeverity(failOnText) : config.FailOn ?? LintSeverity.Error;
        var outputFormat = parse.GetValue(LintCommandDefinition.Output)!;
        if (outputFormat is not ("text" or "json" or "sarif"))
        {
            throw new FormatException($"--output must be text, json or sarif, not '{outputFormat}'");
        }

        return new LintRequest(files, new LintTarget(dialect, version), config, failOn, outputFormat, assumption);
    }
}
