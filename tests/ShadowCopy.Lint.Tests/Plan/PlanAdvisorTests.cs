using ShadowCopy.Lint;
using ShadowCopy.Lint.Plan;

namespace ShadowCopy.Lint.Tests.Plan;

public sealed class PlanAdvisorTests
{
    private static PlanResult Decide(DdlCost cost, long rows, double? rate = 10_000, string? lockMode = "AccessExclusiveLock", string engine = "postgres", IReadOnlyList<LintFinding>? findings = null)
    {
        var target = LintHelper.Target(engine, engine == "postgres" ? "15" : "10.11");
        var probe = new DdlProbe(cost, lockMode, cost == DdlCost.Failed ? "42704: type does not exist" : null, []);
        var input = new PlanInput(target, "public.t", "ALTER COLUMN n TYPE bigint", "ALTER TABLE t ALTER COLUMN n TYPE bigint;", probe, new TableSize(rows, rows * 100, rate, rate is null ? 0 : 5000), findings ?? []);
        return PlanAdvisor.Decide(input, "postgres://u@h/db");
    }

    [Fact]
    public void Decide_metadataOnly_recommendsNativeWithExactStatement()
    {
        var result = Decide(DdlCost.MetadataOnly, 50_000_000);
        Assert.Equal(PlanVerdict.Native, result.Verdict);
        Assert.Equal("ALTER TABLE t ALTER COLUMN n TYPE bigint;", result.NativeStatement);
    }

    [Fact]
    public void Decide_rewriteOfLargeTable_recommendsOnlineCopyWithCommandAndDuration()
    {
        var result = Decide(DdlCost.Rewrite, 1_000_000);
        Assert.Equal(PlanVerdict.OnlineCopy, result.Verdict);
        Assert.Equal(TimeSpan.FromSeconds(100), result.EstimatedCopyDuration);
        Assert.Equal(["alter", "--dsn", "postgres://u@h/db", "--table", "public.t", "--alter", "ALTER COLUMN n TYPE bigint", "--execute"], result.ShadowCopyArguments);
        Assert.Contains("relfilenode", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_rewriteOfTinyTable_recommendsNative()
    {
        Assert.Equal(PlanVerdict.Native, Decide(DdlCost.Rewrite, 500).Verdict);
    }

    [Fact]
    public void Decide_failed_refusesWithServerMessage()
    {
        var result = Decide(DdlCost.Failed, 10);
        Assert.Equal(PlanVerdict.Refuse, result.Verdict);
        Assert.Contains("42704", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_noSample_assumesSlowRateAndSaysSo()
    {
        var result = Decide(DdlCost.Rewrite, 2_000_000, rate: null);
        Assert.True(result.RateAssumed);
        Assert.Equal(TimeSpan.FromSeconds(2_000_000 / PlanAdvisor.AssumedRowsPerSecond), result.EstimatedCopyDuration);
        Assert.Contains("rate assumed", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_metadataOnlyButLintSeesScanUnderExclusiveLockOnLargeTable_recommendsOnlineCopy()
    {
        var scan = LintHelper.Lint("SET lock_timeout = '1s'; ALTER TABLE t ALTER COLUMN c SET NOT NULL;").Single();
        var result = Decide(DdlCost.MetadataOnly, 10_000_000, findings: [scan]);
        Assert.Equal(PlanVerdict.OnlineCopy, result.Verdict);
    }

    [Theory]
    [InlineData(DdlCost.InplaceNoRebuild, 10_000_000, PlanVerdict.Native)]
    [InlineData(DdlCost.InplaceRebuild, 10_000_000, PlanVerdict.OnlineCopy)]
    [InlineData(DdlCost.InplaceRebuild, 100, PlanVerdict.Native)]
    [InlineData(DdlCost.Rewrite, 10_000_000, PlanVerdict.OnlineCopy)]
    public void Decide_mariaDbAlgorithms_mapToVerdicts(DdlCost cost, long rows, PlanVerdict verdict)
    {
        Assert.Equal(verdict, Decide(cost, rows, lockMode: null, engine: "mariadb").Verdict);
    }

    [Theory]
    [InlineData("ALTER COLUMN a TYPE int, ALGORITHM=INSTANT, LOCK = NONE", "ALTER COLUMN a TYPE int")]
    [InlineData("ADD COLUMN `algorithm` int, algorithm=copy", "ADD COLUMN `algorithm` int")]
    [InlineData("LOCK=SHARED, MODIFY c varchar(10) DEFAULT 'a,b'", "MODIFY c varchar(10) DEFAULT 'a,b'")]
    public void AlterClauseText_WithoutAlgorithmAndLock_keepsOtherClausesVerbatim(string alter, string expected)
    {
        Assert.Equal(expected, AlterClauseText.WithoutAlgorithmAndLock(alter, LintDialect.MariaDb));
    }

    [Theory]
    [InlineData("ADD COLUMN c text DEFAULT ';'", true)]
    [InlineData("ADD COLUMN c int; DROP TABLE t", false)]
    [InlineData("ADD COLUMN c int -- ; comment", true)]
    public void AlterClauseText_IsSingleStatement_ignoresQuotedSemicolons(string alter, bool single)
    {
        Assert.Equal(single, AlterClauseText.IsSingleStatement(alter, LintDialect.Postgres));
    }
}
