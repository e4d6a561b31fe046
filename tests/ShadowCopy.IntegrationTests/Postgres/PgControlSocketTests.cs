using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>The real executable with ctl, journal and hooks (issue #6) against PostgreSQL.</summary>
[Collection("postgres")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PgControlSocketTests
{
    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Ctl_chunk_size_applies_to_the_next_chunk_and_panic_exits_9_leaving_nothing(string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(6_000);
        var before = await PgCatalogSnapshot.TakeAsync(schema.Name);

        await RunControlScenarios.ChunkSizeThenPanicAsync(PgServer.Dsn(), $"{schema.Name}.orders", "ADD COLUMN note text", PgServer.Password, capture);

        Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
        await PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, "orders");
    }

    [Fact]
    public async Task Execute_trigger_journals_every_phase_and_ddl_and_runs_hooks_in_order()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        await new PgTableLayout(schema.Name, "orders", "orders_control").CreateAsync(3_000);

        var ddl = await RunControlScenarios.FullRunAsync(PgServer.Dsn(), $"{schema.Name}.orders", "ADD COLUMN note text", PgServer.Password, "trigger", 3_000, "postgres", "postgres");

        RunControlScenarios.AssertDdlInOrder(
            ddl,
            "CREATE TABLE…\"_orders_new\" (LIKE",
            "ALTER TABLE…\"_orders_new\" ADD COLUMN note text",
            "CREATE TABLE…\"_orders_log\"",
            "CREATE FUNCTION…\"_orders_fn\"",
            "CREATE TRIGGER…\"_orders_trg\"",
            "LOCK TABLE…\"orders\" IN ACCESS EXCLUSIVE MODE",
            "DROP TRIGGER…\"_orders_trg\"",
            "ALTER TABLE…\"orders\" RENAME TO \"_orders_old\"",
            "ALTER TABLE…\"_orders_new\" RENAME TO \"orders\"",
            "DROP FUNCTION…\"_orders_fn\"",
            "DROP TABLE…\"_orders_log\"");
    }

    [Fact]
    public async Task Execute_logical_journals_the_slot_and_publication_statements()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        await new PgTableLayout(schema.Name, "orders", "orders_control").CreateAsync(3_000);

        var ddl = await RunControlScenarios.FullRunAsync(PgServer.Dsn(), $"{schema.Name}.orders", "ADD COLUMN note text", PgServer.Password, "logical", 3_000, "postgres", "postgres");

        RunControlScenarios.AssertDdlInOrder(
            ddl,
            "CREATE TABLE…\"_orders_new\" (LIKE",
            "ALTER TABLE…\"_orders_new\" ADD COLUMN note text",
            "CREATE PUBLICATION",
            "CREATE_REPLICATION_SLOT",
            "LOCK TABLE…\"orders\" IN ACCESS EXCLUSIVE MODE",
            "ALTER TABLE…\"orders\" RENAME TO \"_orders_old\"",
            "ALTER TABLE…\"_orders_new\" RENAME TO \"orders\"",
            "pg_drop_replication_slot",
            "DROP PUBLICATION");
        await PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, "orders");
    }
}
