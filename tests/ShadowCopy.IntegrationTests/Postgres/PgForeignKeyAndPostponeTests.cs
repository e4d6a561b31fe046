using ShadowCopy.Core.Engine;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Postgres;

[Collection("postgres")]
public sealed class PgForeignKeyAndPostponeTests
{
    [Fact]
    public async Task Alter_RepointForeignKeys_ChildReferencesNewTableAndIsValidated()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        await PgServer.ExecAsync($"""
            CREATE TABLE {schema.Table("parent")} (id bigserial PRIMARY KEY, name text);
            CREATE TABLE {schema.Table("other")} (id int PRIMARY KEY);
            ALTER TABLE {schema.Table("parent")} ADD COLUMN other_id int REFERENCES {schema.Table("other")} (id) ON DELETE SET NULL;
            CREATE TABLE {schema.Table("child")} (id int PRIMARY KEY, parent_id bigint REFERENCES {schema.Table("parent")} (id) ON DELETE CASCADE);
            INSERT INTO {schema.Table("other")} SELECT g FROM generate_series(1, 10) g;
            INSERT INTO {schema.Table("parent")} (name, other_id) SELECT 'p' || g, 1 + g % 10 FROM generate_series(1, 1000) g;
            INSERT INTO {schema.Table("child")} SELECT g, g FROM generate_series(1, 500) g;
            """);

        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "parent", "ADD COLUMN note text") with { RepointForeignKeys = true });

        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        var fks = await PgConcurrentAlterTests.NamesAsync(
            $"SELECT conrelid::regclass::text || '->' || confrelid::regclass::text || ':' || convalidated FROM pg_constraint WHERE contype = 'f' AND connamespace = '{schema.Name}'::regnamespace ORDER BY 1");
        Assert.Equal(
            new[] { $"{schema.Name}.child->{schema.Name}.parent:true", $"{schema.Name}._parent_old->{schema.Name}.other:true", $"{schema.Name}.parent->{schema.Name}.other:true" }.Order(StringComparer.Ordinal),
            fks.Order(StringComparer.Ordinal));
        // The re-pointed key works: deleting a parent row cascades from the new table.
        await PgServer.ExecAsync($"DELETE FROM {schema.Table("parent")} WHERE id = 1");
        Assert.Equal(499L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {schema.Table("child")}"));
    }

    [Fact]
    public async Task Alter_PostponeFlagFile_WaitsInSyncUntilRemoved()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(5_000);
        var flag = Path.Combine(Path.GetTempPath(), $"postpone-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(flag, "hold");
        await using var load = new PgWriterLoad(layout, writers: 4);
        await load.StartAsync(5_000);
        var sink = new RecordingStatusSink();
        var run = PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text") with { PostponeCutOverFlagFile = flag }, sink: sink);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!sink.Phases.Contains(Phase.Postponed) && DateTime.UtcNow < deadline && !run.IsCompleted)
            {
                await Task.Delay(50);
            }

            Assert.Contains(Phase.Postponed, sink.Phases);
            var appliedBefore = sink.Statuses.Last().ChangesApplied;
            await Task.Delay(2000);
            Assert.False(run.IsCompleted, "cut over while the flag file existed");
            Assert.True(sink.Statuses.Last().ChangesApplied > appliedBefore, "the shadow was not kept in sync while postponed");
        }
        finally
        {
            File.Delete(flag);
        }

        var result = await run;
        await load.StopAsync();
        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        Assert.Equal(0, load.Errors);
        Assert.Equal(
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
    }

    [Fact]
    public async Task Alter_ThrottleFlagFile_HoldsCopyThenResumes()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(10_000);
        var flag = Path.Combine(Path.GetTempPath(), $"throttle-{Guid.NewGuid():N}");
        var sink = new RecordingStatusSink();
        var options = PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text") with { ThrottleFlagFile = flag, MaxRowsPerSecond = 3000 };
        var run = PgAlterHarness.RunAsync(options, sink: sink);
        while (!sink.Statuses.Any(s => s.RowsCopied > 0) && !run.IsCompleted)
        {
            await Task.Delay(20);
        }

        await File.WriteAllTextAsync(flag, "throttle");
        await Task.Delay(500);
        var held = sink.Statuses.Last().RowsCopied;
        await Task.Delay(2000);
        var stillHeld = sink.Statuses.Last();
        File.Delete(flag);
        var result = await run;

        Assert.Equal(held, stillHeld.RowsCopied);
        Assert.NotNull(stillHeld.ThrottleReason);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        Assert.Equal(10_000, result.RowsCopied);
    }
}
