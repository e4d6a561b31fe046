using ShadowCopy.Lint.Plan;
using ShadowCopy.Core.Schema;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.IntegrationTests.MySql;
using ShadowCopy.MySql.Plan;
using ShadowCopy.Postgres.Plan;

namespace ShadowCopy.IntegrationTests.Plan;

/// <summary>The plan-plus-lint package the alter dry run is meant to call (see ChangeReview).</summary>
[Collection("plan")]
public sealed class ChangeReviewTests
{
    [Fact]
    public async Task RunAsync_postgresRewrite_returnsPlanAndLintFindings()
    {
        var name = PlanTables.UniqueName();
        await PgServer.ExecAsync($"CREATE TABLE {PgServer.Q(name)} (id int PRIMARY KEY, n int)");
        try
        {
            var review = await ChangeReview.RunAsync(new PgChangePlanner(PgServer.Settings()), new TableName("public", name), name, "ALTER COLUMN n TYPE bigint", PgServer.Dsn(), CancellationToken.None);
            Assert.Null(review.PlanFailure);
            Assert.Equal(DdlCost.Rewrite, review.Plan!.Input.Probe.Cost);
            Assert.Contains(review.Findings, f => f.RuleId == "change-column-type");
            Assert.DoesNotContain(review.Findings, f => f.RuleId == "require-lock-timeout");
        }
        finally
        {
            await PgServer.ExecAsync($"DROP TABLE IF EXISTS {PgServer.Q(name)}");
        }
    }

    [Fact]
    public async Task RunAsync_missingTable_reportsFailureInsteadOfThrowing()
    {
        var review = await ChangeReview.RunAsync(new MySqlChangePlanner(MyServer.Settings()), new TableName(MyServer.Database, PlanTables.UniqueName()), "absent", "ADD COLUMN c int", MyServer.Dsn, CancellationToken.None);
        Assert.Null(review.Plan);
        Assert.Contains("does not exist", review.PlanFailure!.Message, StringComparison.Ordinal);
    }
}
