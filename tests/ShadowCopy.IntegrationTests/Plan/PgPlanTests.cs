using ShadowCopy.Lint.Plan;
using ShadowCopy.Core.Schema;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.Postgres.Plan;

namespace ShadowCopy.IntegrationTests.Plan;

/// <summary>
/// What PostgreSQL 15 really does with each ALTER, observed on the clone: rewrite (relfilenode
/// changed) or not, and the lock mode taken. The expectations follow the ALTER TABLE reference
/// ("Notes": which forms rewrite; lock level per subcommand).
/// </summary>
[Collection("plan")]
public sealed class PgPlanTests
{
    private const string Columns = "id int PRIMARY KEY, name varchar(10), n int, price numeric(10,2), note text, flag boolean, created timestamp";

    public static TheoryData<string, DdlCost, string?> Alters { get; } = new()
    {
        { "ADD COLUMN c int", DdlCost.MetadataOnly, "AccessExclusiveLock" },
        { "ADD COLUMN c timestamptz DEFAULT now()", DdlCost.MetadataOnly, "AccessExclusiveLock" },
        { "ADD COLUMN c int NOT NULL DEFAULT 0", DdlCost.MetadataOnly, "AccessExclusiveLock" },
        { "ADD COLUMN c timestamptz DEFAULT clock_timestamp()", DdlCost.Rewrite, "AccessExclusiveLock" },
        { "ADD COLUMN c uuid DEFAULT gen_random_uuid()", DdlCost.Rewrite, "AccessExclusiveLock" },
        { "ALTER COLUMN n TYPE bigint", DdlCost.Rewrite, "AccessExclusiveLock" },
        { "ALTER COLUMN name TYPE varchar(100)", DdlCost.MetadataOnly, "AccessExclusiveLock" },
        { "ALTER COLUMN name TYPE text", DdlCost.MetadataOnly, "AccessExclusiveLock" },
        { "ALTER COLUMN price TYPE numeric(12,2)", DdlCost.MetadataOnly, "AccessExclusiveLock" },
        { "ALTER COLUMN price TYPE numeric(12,4)", DdlCost.Rewrite, "AccessExclusiveLock" },
        { "ALTER COLUMN flag TYPE int USING flag::int", DdlCost.Rewrite, "AccessExclusiveLock" },
        { "ALTER COLUMN name SET NOT NULL", DdlCost.MetadataOnly, "AccessExclusiveLock" },
        { "ALTER COLUMN n SET DEFAULT 5", DdlCost.MetadataOnly, "AccessExclusiveLock" },
        { "ADD COLUMN g int GENERATED ALWAYS AS (n * 2) STORED", DdlCost.Rewrite, "AccessExclusiveLock" },
        { "ADD COLUMN s bigserial", DdlCost.Rewrite, "AccessExclusiveLock" },
        { "SET (fillfactor = 70)", DdlCost.MetadataOnly, "ShareUpdateExclusiveLock" },
        { "DROP COLUMN note", DdlCost.MetadataOnly, "AccessExclusiveLock" },
        { "RENAME COLUMN note TO memo", DdlCost.MetadataOnly, "AccessExclusiveLock" },
        { "SET UNLOGGED", DdlCost.Rewrite, "AccessExclusiveLock" },
        { "ADD CONSTRAINT n_positive CHECK (n > 0) NOT VALID", DdlCost.MetadataOnly, "AccessExclusiveLock" },
        { "ALTER COLUMN n SET STATISTICS 500", DdlCost.MetadataOnly, "ShareUpdateExclusiveLock" },
        { "ADD COLUMN bad no_such_type", DdlCost.Failed, null },
    };

    [Theory]
    [MemberData(nameof(Alters))]
    public async Task PlanAsync_alter_classifiedAsTheServerRunsIt(string alter, DdlCost cost, string? lockMode)
    {
        var name = PlanTables.UniqueName();
        await PgServer.ExecAsync($"CREATE TABLE {PgServer.Q(name)} ({Columns}); INSERT INTO {PgServer.Q(name)} SELECT g, 'x', g, g, 'n', true, now() FROM generate_series(1, 200) g; ANALYZE {PgServer.Q(name)};");
        try
        {
            var evidence = await PgPlanner.PlanAsync(PgServer.Settings(), new TableName("public", name), alter, CancellationToken.None);
            Assert.True(cost == evidence.Probe.Cost, $"{alter}: expected {cost}, server said {evidence.Probe.Cost} ({string.Join("; ", evidence.Probe.Attempts)})");
            Assert.Equal(lockMode, evidence.Probe.LockMode);
            Assert.Equal(200, evidence.Size.EstimatedRows);
            await AssertUntouchedAsync(name);
        }
        finally
        {
            await PgServer.ExecAsync($"DROP TABLE IF EXISTS {PgServer.Q(name)}");
        }
    }

    [Fact]
    public async Task PlanAsync_largeRewrite_recommendsOnlineCopyWithEstimate()
    {
        var name = PlanTables.UniqueName();
        await PgServer.ExecAsync($"CREATE TABLE {PgServer.Q(name)} ({Columns}); INSERT INTO {PgServer.Q(name)} SELECT g, 'x', g, g, 'n', true, now() FROM generate_series(1, 200000) g; ANALYZE {PgServer.Q(name)};");
        try
        {
            var evidence = await PgPlanner.PlanAsync(PgServer.Settings(), new TableName("public", name), "ALTER COLUMN n TYPE bigint", CancellationToken.None);
            Assert.True(evidence.Size.SampleRowsPerSecond > 0);
            Assert.Equal(5000, evidence.Size.SampledRows);
            var slowRate = evidence with { Size = evidence.Size with { SampleRowsPerSecond = 10_000 } };
            var result = PlanAdvisor.Decide(new PlanInput(slowRate.Target, name, "ALTER COLUMN n TYPE bigint", slowRate.NativeStatement, slowRate.Probe, slowRate.Size, []), PgServer.Dsn());
            Assert.Equal(PlanVerdict.OnlineCopy, result.Verdict);
            Assert.Equal(20, result.EstimatedCopyDuration!.Value.TotalSeconds, 0.5);
            Assert.Contains("--execute", result.ShadowCopyArguments!);
        }
        finally
        {
            await PgServer.ExecAsync($"DROP TABLE IF EXISTS {PgServer.Q(name)}");
        }
    }

    [Fact]
    public async Task PlanAsync_missingTable_throwsTableMissing()
    {
        var failure = await Assert.ThrowsAsync<ShadowCopy.Core.Model.ShadowCopyException>(() => PgPlanner.PlanAsync(PgServer.Settings(), new TableName("public", PlanTables.UniqueName()), "ADD COLUMN c int", CancellationToken.None));
        Assert.Equal(ShadowCopy.Core.Model.ExitCodes.TableMissing, failure.ExitCode);
    }

    [Fact]
    public async Task PlanAsync_alterWithSecondStatement_isRefusedBeforeRunning()
    {
        var name = PlanTables.UniqueName();
        await PgServer.ExecAsync($"CREATE TABLE {PgServer.Q(name)} ({Columns})");
        try
        {
            await Assert.ThrowsAsync<ShadowCopy.Core.Model.ShadowCopyException>(() => PgPlanner.PlanAsync(PgServer.Settings(), new TableName("public", name), $"ADD COLUMN c int; DROP TABLE {PgServer.Q(name)}", CancellationToken.None));
            Assert.Equal(1L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_class WHERE relname = '{name}'"));
        }
        finally
        {
            await PgServer.ExecAsync($"DROP TABLE IF EXISTS {PgServer.Q(name)}");
        }
    }

    [Fact]
    public async Task PlanAsync_cloneOfADeadSession_isDroppedButAlikeUserTableIsKept()
    {
        var name = PlanTables.UniqueName();
        // pid 4194304 is above PostgreSQL's PID limit on Linux (2^22), so no live backend has it.
        const string orphan = "_sc_plan_4194304_deadbeef";
        const string lookalike = "_sc_plan_4194304_feedface";
        await PgServer.ExecAsync($"CREATE TABLE {PgServer.Q(name)} (id int PRIMARY KEY); CREATE TABLE {PgServer.Q(orphan)} (id int); COMMENT ON TABLE {PgServer.Q(orphan)} IS 'shadowcopy:plan-clone'; CREATE TABLE {PgServer.Q(lookalike)} (id int);");
        try
        {
            await PgPlanner.PlanAsync(PgServer.Settings(), new TableName("public", name), "ADD COLUMN c int", CancellationToken.None);
            Assert.Equal(0L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_class WHERE relname = '{orphan}'"));
            Assert.Equal(1L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_class WHERE relname = '{lookalike}'"));
        }
        finally
        {
            await PgServer.ExecAsync($"DROP TABLE IF EXISTS {PgServer.Q(name)}, {PgServer.Q(orphan)}, {PgServer.Q(lookalike)}");
        }
    }

    /// <summary>The live table keeps its shape and rows, and no clone is left behind.</summary>
    private static async Task AssertUntouchedAsync(string name)
    {
        Assert.Equal(200L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {PgServer.Q(name)}"));
        Assert.Equal(7L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_attribute WHERE attrelid = '{name}'::regclass AND attnum > 0 AND NOT attisdropped"));
        Assert.Equal("int4", await PgServer.ScalarAsync<string>($"SELECT atttypid::regtype::text FROM pg_attribute WHERE attrelid = '{name}'::regclass AND attname = 'n'") switch { "integer" => "int4", var other => other });
        Assert.Equal(0L, await PgServer.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname ~ '^_sc_plan_[0-9]+_[0-9a-f]{8}$' AND obj_description(oid, 'pg_class') = 'shadowcopy:plan-clone'"));
    }
}
