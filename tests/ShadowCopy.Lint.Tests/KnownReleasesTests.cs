using ShadowCopy.Lint;

namespace ShadowCopy.Lint.Tests;

public sealed class KnownReleasesTests
{
    [Theory]
    [InlineData(LintDialect.MySql, "8.0", "8.0.41")]
    [InlineData(LintDialect.MySql, "8.4", "8.4.4")]
    [InlineData(LintDialect.MySql, "8", "8.4.4")]
    [InlineData(LintDialect.MariaDb, "10.11", "10.11.11")]
    [InlineData(LintDialect.MariaDb, "10.6", "10.6.21")]
    [InlineData(LintDialect.Postgres, "15", "15.12")]
    [InlineData(LintDialect.Postgres, "17", "17.4")]
    public void TryResolve_series_isNewestKnownReleaseAndSaysSo(LintDialect dialect, string given, string expected)
    {
        Assert.True(KnownReleases.TryResolve(dialect, given, out var version, out var assumption));
        Assert.Equal(expected, KnownReleases.Format(dialect, version));
        Assert.Equal($"{given} read as {expected}, the newest {given} release the rules know", assumption);
    }

    [Theory]
    [InlineData(LintDialect.MySql, "8.0.20", "8.0.20")]
    [InlineData(LintDialect.MariaDb, "10.3.1", "10.3.1")]
    [InlineData(LintDialect.Postgres, "15.4", "15.4")]
    public void TryResolve_fullVersion_isTakenAsGiven(LintDialect dialect, string given, string expected)
    {
        Assert.True(KnownReleases.TryResolve(dialect, given, out var version, out var assumption));
        Assert.Equal(expected, KnownReleases.Format(dialect, version));
        Assert.Null(assumption);
    }

    [Fact]
    public void TryResolve_unknownSeries_assumesItsFirstReleaseAndSaysSo()
    {
        Assert.True(KnownReleases.TryResolve(LintDialect.MySql, "9.9", out var version, out var assumption));
        Assert.Equal(new ServerVersion(9, 9, 0), version);
        Assert.Equal("9.9 is not a release series the rules know; assumed 9.9.0", assumption);
    }

    [Theory]
    [InlineData("eight")]
    [InlineData("8.0.1.2")]
    [InlineData("")]
    public void TryResolve_notAVersion_fails(string given) =>
        Assert.False(KnownReleases.TryResolve(LintDialect.MySql, given, out _, out _));

    [Fact]
    public void Lint_addColumnOnMySql80Series_isInstantLikeTodays80()
    {
        // Issue 13: 8.0 used to be read as 8.0.0, so every ADD COLUMN got "needs MySQL 8.0.12".
        Assert.True(KnownReleases.TryResolve(LintDialect.MySql, "8.0", out var version, out _));
        var findings = new Linter().Lint("m.sql", "ALTER TABLE t ADD COLUMN c int;", new LintTarget(LintDialect.MySql, version));
        Assert.DoesNotContain(findings, f => f.RuleId == "add-column-not-instant");
        var old = new Linter().Lint("m.sql", "ALTER TABLE t ADD COLUMN c int;", new LintTarget(LintDialect.MySql, new ServerVersion(8, 0, 0)));
        Assert.Contains(old, f => f.RuleId == "add-column-not-instant");
    }
}
