using ShadowCopy.Lint;

namespace ShadowCopy.Lint.Tests;

internal static class LintHelper
{
    public static LintTarget Target(string engine, string version)
    {
        Assert.True(LintTarget.TryParseDialect(engine, out var dialect), engine);
        Assert.True(ServerVersion.TryParse(version, out var parsed), version);
        return new LintTarget(dialect, parsed);
    }

    public static IReadOnlyList<LintFinding> Lint(string sql, string engine = "postgres", string version = "15", LintConfig? config = null) =>
        new Linter(config).Lint("test.sql", sql, Target(engine, version));

    public static string[] Ids(string sql, string engine = "postgres", string version = "15") =>
        [.. Lint(sql, engine, version).Select(f => f.RuleId)];
}
