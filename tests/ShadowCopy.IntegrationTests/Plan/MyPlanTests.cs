using ShadowCopy.Lint;
using ShadowCopy.Lint.Plan;
using ShadowCopy.Core.Schema;
using ShadowCopy.IntegrationTests.MySql;
using ShadowCopy.MySql.Plan;

namespace ShadowCopy.IntegrationTests.Plan;

/// <summary>
/// What MariaDB 10.11 really does with each ALTER, observed on a clone: the first of INSTANT,
/// NOCOPY (LOCK=NONE), INPLACE (LOCK=NONE), COPY the server accepts (MariaDB KB, "InnoDB Online
/// DDL Operations with the INSTANT / NOCOPY / INPLACE Alter Algorithm").
/// </summary>
[Collection("plan")]
public sealed class MyPlanTests
{
    private const string Columns = "id int NOT NULL PRIMARY KEY, name varchar(10) NULL, n int NULL, note text NULL, created datetime NULL, KEY k_created (created)";

    public static TheoryData<string, DdlCost> Alters { get; } = new()
    {
        { "ADD COLUMN c int", DdlCost.MetadataOnly },
        { "ADD COLUMN c int FIRST", DdlCost.MetadataOnly },
        { "ADD COLUMN c int AFTER id", DdlCost.MetadataOnly },
        { "DROP COLUMN note", DdlCost.MetadataOnly },
        { "RENAME COLUMN note TO memo", DdlCost.MetadataOnly },
        { "ALTER COLUMN n SET DEFAULT 3", DdlCost.MetadataOnly },
        { "ADD COLUMN v int AS (n * 2) VIRTUAL", DdlCost.MetadataOnly },
        { "MODIFY n bigint", DdlCost.Rewrite },
        { "ADD COLUMN g int AS (n * 2) STORED", DdlCost.Rewrite },
        { "ADD INDEX i_n (n)", DdlCost.InplaceNoRebuild },
        { "ADD UNIQUE INDEX u_name (name)", DdlCost.InplaceNoRebuild },
        { "DROP INDEX k_created", DdlCost.InplaceNoRebuild },
        { "MODIFY name varchar(20)", DdlCost.MetadataOnly },
        { "MODIFY name varchar(100)", DdlCost.MetadataOnly }, // MariaDB 10.4.3+ widens VARCHAR instantly outside ROW_FORMAT=REDUNDANT, even past 255 bytes
        { "ENGINE=InnoDB", DdlCost.InplaceRebuild },
        { "FORCE", DdlCost.InplaceRebuild },
        { "MODIFY name varchar(10) NOT NULL", DdlCost.InplaceRebuild },
        { "CONVERT TO CHARACTER SET latin1", DdlCost.Rewrite },
        { "ADD COLUMN bad no_such_type", DdlCost.Failed },
    };

    [Theory]
    [MemberData(nameof(Alters))]
    public async Task PlanAsync_alter_classifiedAsTheServerRunsIt(string alter, DdlCost cost)
    {
        var name = PlanTables.UniqueName();
        await MyServer.ExecAsync($"CREATE TABLE `{name}` ({Columns}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        await MyServer.ExecAsync($"INSERT INTO `{name}` SELECT seq, 'x', seq, 'n', NOW() FROM seq_1_to_200");
        try
        {
            var evidence = await MySqlPlanner.PlanAsync(MyServer.Settings(), new TableName(MyServer.Database, name), alter, CancellationToken.None);
            Assert.True(cost == evidence.Probe.Cost, $"{alter}: expected {cost}, server said {evidence.Probe.Cost} ({string.Join("; ", evidence.Probe.Attempts)})");
            Assert.Equal(LintDialect.MariaDb, evidence.Target.Dialect);
            Assert.True(evidence.Target.Version.AtLeast(10, 3), evidence.Target.Version.ToString());
            await AssertUntouchedAsync(name);
        }
        finally
        {
            await MyServer.ExecAsync($"DROP TABLE IF EXISTS `{name}`");
        }
    }

    [Fact]
    public async Task PlanAsync_instantAdd_nativeStatementAsksForInstant()
    {
        var name = PlanTables.UniqueName();
        await MyServer.ExecAsync($"CREATE TABLE `{name}` ({Columns}) ENGINE=InnoDB");
        try
        {
            var evidence = await MySqlPlanner.PlanAsync(MyServer.Settings(), new TableName(MyServer.Database, name), "ADD COLUMN c int, ALGORITHM=COPY", CancellationToken.None);
            Assert.Equal(DdlCost.MetadataOnly, evidence.Probe.Cost);
            Assert.EndsWith($"`{name}` ADD COLUMN c int, ALGORITHM=INSTANT;", evidence.NativeStatement, StringComparison.Ordinal);
            var result = PlanAdvisor.Decide(new PlanInput(evidence.Target, name, "ADD COLUMN c int", evidence.NativeStatement, evidence.Probe, evidence.Size, []), MyServer.Dsn);
            Assert.Equal(PlanVerdict.Native, result.Verdict);
        }
        finally
        {
            await MyServer.ExecAsync($"DROP TABLE IF EXISTS `{name}`");
        }
    }

    private static async Task AssertUntouchedAsync(string name)
    {
        Assert.Equal("200", await MyServer.ScalarAsync($"SELECT COUNT(*) FROM `{name}`"));
        Assert.Equal("5", await MyServer.ScalarAsync($"SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{name}'"));
        Assert.Equal("int", await MyServer.ScalarAsync($"SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{name}' AND COLUMN_NAME = 'n'"));
        Assert.Equal("0", await MyServer.ScalarAsync("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_NAME LIKE '\\_sc\\_plan\\_%'"));
    }
}
