using ShadowCopy.IntegrationTests.Infrastructure;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>The real executable with ctl, journal and hooks (issue #6) against MariaDB.</summary>
[Collection("mysql")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MyRunControlTests
{
    private static string Password => TestServers.Get("SHADOWCOPY_MY_PASSWORD");

    [Theory]
    [InlineData("binlog")]
    [InlineData("trigger")]
    public async Task Ctl_chunk_size_applies_to_the_next_chunk_and_panic_exits_9_leaving_nothing(string capture)
    {
        var name = UniqueName("ctl");
        try
        {
            await new MyTableLayout(name).CreateAsync(6_000);
            var before = await SnapshotAsync(name);

            await RunControlScenarios.ChunkSizeThenPanicAsync(Dsn, name, "ADD COLUMN note VARCHAR(10)", Password, capture);

            Assert.Equal(before, await SnapshotAsync(name));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Execute_binlog_journals_every_phase_and_ddl_and_runs_hooks_in_order()
    {
        var name = UniqueName("jrn");
        try
        {
            await new MyTableLayout(name).CreateAsync(3_000);

            var ddl = await RunControlScenarios.FullRunAsync(Dsn, name, "ADD COLUMN note VARCHAR(10)", Password, "binlog", 3_000, "mysql", Database);

            RunControlScenarios.AssertDdlInOrder(
                ddl,
                $"CREATE TABLE…`_{name}_log`",
                $"CREATE TABLE…`_{name}_new` LIKE",
                $"ALTER TABLE…`_{name}_new` ADD COLUMN note VARCHAR(10)",
                "LOCK TABLES",
                $"RENAME TABLE…`{name}` TO…`_{name}_old`…`{name}~go` TO…`{name}~gone`",
                $"CREATE TABLE…`{name}~go`",
                "UNLOCK TABLES",
                $"DROP TABLE IF EXISTS…`{name}~gone`",
                $"DROP TABLE IF EXISTS…`_{name}_log`");
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Execute_trigger_journals_the_trigger_statements()
    {
        var name = UniqueName("jrt");
        try
        {
            await new MyTableLayout(name).CreateAsync(3_000);

            var ddl = await RunControlScenarios.FullRunAsync(Dsn, name, "ADD COLUMN note VARCHAR(10)", Password, "trigger", 3_000, "mysql", Database);

            RunControlScenarios.AssertDdlInOrder(
                ddl,
                $"CREATE TABLE…`_{name}_new` LIKE",
                $"ALTER TABLE…`_{name}_new` ADD COLUMN note VARCHAR(10)",
                "CREATE TRIGGER",
                $"RENAME TABLE…`{name}` TO…`_{name}_old`",
                "DROP TRIGGER");
        }
        finally
        {
            await DropAsync(name);
        }
    }
}
