using System.Text.Json;
using ShadowCopy.Cli.Commands.Lint;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Lint.Tests.Cli;

public sealed class LintCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lint-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Exit, string Output, string Error)> Run(string stdin, params string[] args)
    {
        var parse = LintCommandDefinition.Create().Parse(args);
        Assert.Empty(parse.Errors);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await LintCommand.RunAsync(parse, new StringReader(stdin), output, error, CancellationToken.None);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task RunAsync_errorFinding_exits40WithTextLocation()
    {
        var file = WriteFile("m.sql", "SET lock_timeout = '1s';\nALTER TABLE t ALTER COLUMN id TYPE bigint;\n");
        var (exit, output, _) = await Run(string.Empty, file, "--engine", "postgres", "--target-version", "15");
        Assert.Equal(ExitCodes.LintFindings, exit);
        Assert.Contains($"{file}:2:15: error [change-column-type]", output, StringComparison.Ordinal);
        Assert.Contains("instead: ", output, StringComparison.Ordinal);
        Assert.Contains("table: rewritten", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_expandAndContractInTwoFiles_areTwoMigrations_butInOneFileAnError()
    {
        // The ADD+DROP rule is per migration, and a migration is a file: the same two statements
        // are fine as an expand file and a contract file, an error together in one.
        var expand = WriteFile("001_expand.sql", "SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN full_name text;\n");
        var contract = WriteFile("002_contract.sql", "SET lock_timeout = '1s';\nALTER TABLE users DROP COLUMN name;\n");
        var both = WriteFile("003_both.sql", "SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN full_name text;\nALTER TABLE users DROP COLUMN name;\n");

        var (apart, apartOutput, _) = await Run(string.Empty, expand, contract, "--engine", "postgres", "--target-version", "15");
        Assert.DoesNotContain("expand-and-contract-together", apartOutput, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Success, apart);

        var (together, togetherOutput, _) = await Run(string.Empty, expand, contract, both, "--engine", "postgres", "--target-version", "15");
        Assert.Equal(ExitCodes.LintFindings, together);
        Assert.Contains($"{both}:3:19: error [expand-and-contract-together]", togetherOutput, StringComparison.Ordinal);
        Assert.DoesNotContain($"{contract}:2:19: error", togetherOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_onlyWarningsWithDefaultFailOn_exits0()
    {
        var (exit, _, _) = await Run("SET lock_timeout = '1s'; CREATE INDEX i ON t (a);", "-", "--engine", "postgres");
        Assert.Equal(ExitCodes.Success, exit);
    }

    [Fact]
    public async Task RunAsync_failOnWarning_exits40ForWarning()
    {
        var (exit, _, _) = await Run("SET lock_timeout = '1s'; CREATE INDEX i ON t (a);", "-", "--engine", "postgres", "--fail-on", "warning");
        Assert.Equal(ExitCodes.LintFindings, exit);
    }

    [Fact]
    public async Task RunAsync_json_listsFindingsWithLockAndRewriteFlags()
    {
        var (_, output, _) = await Run("ALTER TABLE t ADD COLUMN c int AFTER a;", "-", "--engine", "mysql", "--target-version", "8.0.20", "--output", "json");
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("8.0.20", doc.RootElement.GetProperty("target_version").GetString());
        var finding = doc.RootElement.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("rule").GetString() == "add-column-not-instant");
        Assert.True(finding.GetProperty("rewrites_table").GetBoolean());
        Assert.Equal(1, finding.GetProperty("line").GetInt32());
        Assert.False(string.IsNullOrEmpty(finding.GetProperty("safe_alternative").GetString()));
    }

    [Fact]
    public async Task RunAsync_sarif_isVersion210WithRulesAndResults()
    {
        var (_, output, _) = await Run("DROP TABLE t;", "-", "--engine", "mariadb", "--output", "sarif");
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("2.1.0", doc.RootElement.GetProperty("version").GetString());
        var run = doc.RootElement.GetProperty("runs")[0];
        var result = run.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == "drop-table");
        Assert.Equal("error", result.GetProperty("level").GetString());
        var index = result.GetProperty("ruleIndex").GetInt32();
        Assert.Equal("drop-table", run.GetProperty("tool").GetProperty("driver").GetProperty("rules")[index].GetProperty("id").GetString());
        Assert.Equal(1, result.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32());
    }

    [Fact]
    public async Task RunAsync_configFile_suppliesEngineVersionDisabledRulesAndFailOn()
    {
        var config = WriteFile("lint.json", """{ "engine": "postgres", "targetVersion": "10", "failOn": "info", "disable": ["require-lock-timeout"] }""");
        var (exit, output, _) = await Run("ALTER TABLE t ADD COLUMN f boolean DEFAULT false;", "-", "--config", config, "--output", "json");
        Assert.Equal(ExitCodes.LintFindings, exit);
        using var doc = JsonDocument.Parse(output);
        var rules = doc.RootElement.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("rule").GetString()).ToList();
        Assert.Contains("add-column-default-rewrite", rules);
        Assert.DoesNotContain("require-lock-timeout", rules);
    }

    [Fact]
    public async Task RunAsync_seriesVersion_saysWhichReleaseWasAssumed()
    {
        var (exit, output, _) = await Run("ALTER TABLE t ADD COLUMN c int;", "-", "--engine", "mysql", "--target-version", "8.0");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.DoesNotContain("add-column-not-instant", output, StringComparison.Ordinal);
        Assert.Contains("checked for MySql 8.0.41 (8.0 read as 8.0.41, the newest 8.0 release the rules know)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_seriesVersionJson_carriesTheAssumption()
    {
        var (_, output, _) = await Run("SELECT 1;", "-", "--engine", "postgres", "--target-version", "15", "--output", "json");
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("15.12", doc.RootElement.GetProperty("target_version").GetString());
        Assert.Equal("15 read as 15.12, the newest 15 release the rules know", doc.RootElement.GetProperty("target_version_assumed").GetString());
    }

    [Theory]
    [InlineData("--engine", "oracle")]
    [InlineData("--target-version", "eight")]
    [InlineData("--fail-on", "fatal")]
    [InlineData("--output", "xml")]
    public async Task RunAsync_badOption_exits2(string option, string value)
    {
        var args = option == "--engine" ? new List<string> { "-" } : ["-", "--engine", "postgres"];
        args.AddRange([option, value]);
        var (exit, _, error) = await Run(string.Empty, [.. args]);
        Assert.Equal(ExitCodes.UsageError, exit);
        Assert.StartsWith("error:", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_missingFile_exits2()
    {
        var (exit, _, error) = await Run(string.Empty, Path.Combine(_dir, "absent.sql"), "--engine", "postgres");
        Assert.Equal(ExitCodes.UsageError, exit);
        Assert.Contains("cannot read", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_listRules_printsEveryRule()
    {
        var (exit, output, _) = await Run(string.Empty, "--list-rules");
        Assert.Equal(ExitCodes.Success, exit);
        Assert.All(ShadowCopy.Lint.Linter.Rules, r => Assert.Contains(r.Id, output, StringComparison.Ordinal));
    }
}
