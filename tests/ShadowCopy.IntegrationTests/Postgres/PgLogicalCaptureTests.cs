using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.Postgres;
using ShadowCopy.Postgres.Capture;
using ShadowCopy.Postgres.Capture.Logical;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// --capture logical: the trigger mode's guarantees, from a pgoutput slot instead of triggers. The
/// concurrent-writer scenario runs in both modes in <see cref="PgConcurrentAlterTests"/>.
/// </summary>
[Collection("postgres")]
public sealed class PgLogicalCaptureTests
{
    [Fact]
    public async Task AlterLogical_ToastedValuesUpdatedOnlyInOtherColumns_LargeValuesIntact()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var table = schema.Table("docs");
        var control = schema.Table("docs_control");
        // EXTERNAL storage: out of line and uncompressed, so every value is TOASTed and an update
        // of another column streams it as "unchanged" ('u'), which must never become NULL.
        await PgServer.ExecAsync($"""
            CREATE TABLE {table} (id bigint PRIMARY KEY, body text, doc jsonb, n integer NOT NULL DEFAULT 0);
            ALTER TABLE {table} ALTER COLUMN body SET STORAGE EXTERNAL, ALTER COLUMN doc SET STORAGE EXTERNAL;
            INSERT INTO {table}
              SELECT g, repeat(md5(g::text), 700), jsonb_build_object('g', g, 'blob', repeat(md5((g * 7)::text), 400)), 0
              FROM generate_series(1, 3000) g;
            CREATE TABLE {control} AS SELECT * FROM {table};
            """);

        using var stop = new CancellationTokenSource();
        long updates = 0, errors = 0;
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            await using var connection = await PgServer.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                var id = 1 + (random.Next(750) * 4) + w;
                await using var tx = await connection.BeginTransactionAsync();
                try
                {
                    foreach (var target in new[] { table, control })
                    {
                        await using var command = new NpgsqlCommand($"UPDATE {target} SET n = n + 1 WHERE id = $1", connection, tx);
                        command.Parameters.Add(new() { Value = (long)id });
                        await command.ExecuteNonQueryAsync();
                    }

                    await tx.CommitAsync();
                    Interlocked.Increment(ref updates);
                }
                catch (NpgsqlException)
                {
                    Interlocked.Increment(ref errors);
                }

                // About 200 updates/s in all, the load of the benchmarks: unpaced writers on 3,000 rows of
                // 35 KB change rows faster than a CPU-starved machine can compare them, and the run
                // then (rightly) refuses to swap until writes calm down, which is a different test.
                await Task.Delay(20);
            }
        })).ToList();

        var options = PgAlterHarness.Options(schema.Name, "docs", "ADD COLUMN tag text") with { MaxRowsPerSecond = 1500, InitialChunkSize = 50, MaxChunkSize = 200 };
        var result = await PgAlterHarness.RunAsync(options, capture: PgAlterHarness.Logical);
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.Equal(0, errors);
        Assert.True(result.ChangesApplied > 100, $"only {result.ChangesApplied} changes applied; the partial-update path was barely exercised");
        const string Sum = "SELECT count(*)::text || ':' || sum(hashtextextended(ROW(id, body, doc, n)::text, 0)::numeric)::text FROM ";
        Assert.Equal(await PgServer.ScalarAsync<string>(Sum + control), await PgServer.ScalarAsync<string>(Sum + table));
        Assert.Equal(0L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE body IS NULL OR doc IS NULL OR length(body) < 22000"));
        await AssertNoSlotOrPublicationAsync(schema.Name, "docs");
    }

    [Fact]
    public async Task AlterLogical_RetainedWalOverLimit_AbortsWithExit8AndLeavesNothing()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(20_000);
        var before = await PgCatalogSnapshot.TakeAsync(schema.Name);

        // The copy itself writes WAL (into the shadow) that the slot retains: a 1 KB limit trips.
        var result = await PgAlterHarness.RunAsync(
            PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text") with { MaxRowsPerSecond = 5000 },
            capture: PgAlterHarness.Logical with { MaxSlotRetainedWalBytes = 1024 });

        Assert.True(result.ExitCode == ExitCodes.SlotWalLimit, $"exit {result.ExitCode}: {result.Message}");
        Assert.Contains("--max-slot-retained-wal", result.Message, StringComparison.Ordinal);
        Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
    }

    [Fact]
    public async Task CleanupAfterAbandonedLogicalRun_RemovesSlotPublicationAndShadow()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(5_000);
        var before = await PgCatalogSnapshot.TakeAsync(schema.Name);

        // A run that dies mid-copy (as under SIGKILL): capture installed, some chunks copied, no cleanup.
        var options = PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text");
        await using (var backend = new PgAlterBackend(PgServer.Settings(), options, NullLogger.Instance, PgAlterHarness.Logical))
        {
            await backend.PreflightAsync(CancellationToken.None);
            await backend.CreateShadowAsync(CancellationToken.None);
            await backend.StartCaptureAsync(CancellationToken.None);
            await backend.CopyChunkAsync(500, CancellationToken.None);
        }

        Assert.Single(await SlotsAsync(schema.Name, "orders"));
        var refused = await PgAlterHarness.RunAsync(options, capture: PgAlterHarness.Logical);
        Assert.Equal(ExitCodes.Leftovers, refused.ExitCode);
        Assert.Contains("replication slot", refused.Message, StringComparison.Ordinal);

        var dropped = await PgCleanup.RunAsync(PgServer.Settings(), new(schema.Name, "orders"), TimeSpan.FromSeconds(2), CancellationToken.None);
        Assert.Contains(dropped, d => d.StartsWith("replication slot", StringComparison.Ordinal));
        Assert.Contains(dropped, d => d.StartsWith("publication", StringComparison.Ordinal));
        await AssertNoSlotOrPublicationAsync(schema.Name, "orders");
        Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
    }

    [Theory]
    [InlineData("ALTER TABLE {t} REPLICA IDENTITY FULL;", ExitCodes.CaptureUnavailable, "--allow-replica-identity-full")]
    [InlineData("ALTER TABLE {t} REPLICA IDENTITY NOTHING;", ExitCodes.CaptureUnavailable, "NOTHING")]
    public async Task AlterLogical_UnusableReplicaIdentity_RefusedAndUnchanged(string setup, int exitCode, string messagePart)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var table = schema.Table("subject");
        await PgServer.ExecAsync($"CREATE TABLE {table} (id bigserial PRIMARY KEY, v text); INSERT INTO {table} (v) SELECT 'v' FROM generate_series(1, 100);" + setup.Replace("{t}", table, StringComparison.Ordinal));
        var before = await PgCatalogSnapshot.TakeAsync(schema.Name);

        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "subject", "ADD COLUMN w text"), capture: PgAlterHarness.Logical);

        Assert.True(result.ExitCode == exitCode, $"exit {result.ExitCode}: {result.Message}");
        Assert.Contains(messagePart, result.Message, StringComparison.Ordinal);
        Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
    }

    [Fact]
    public async Task AlterLogical_ReplicaIdentityFullAccepted_WorksWithFlag()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var table = schema.Table("subject");
        await PgServer.ExecAsync($"CREATE TABLE {table} (id bigserial PRIMARY KEY, v text); ALTER TABLE {table} REPLICA IDENTITY FULL; INSERT INTO {table} (v) SELECT 'v' || g FROM generate_series(1, 2000) g;");

        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "subject", "ADD COLUMN w text"), capture: PgAlterHarness.Logical with { AllowReplicaIdentityFull = true });

        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        Assert.Equal("f", await PgServer.ScalarAsync<string>($"SELECT relreplident::text FROM pg_class WHERE oid = '{schema.Name}.subject'::regclass"));
        await AssertNoSlotOrPublicationAsync(schema.Name, "subject");
    }

    private static Task<List<string>> SlotsAsync(string schema, string table) =>
        PgConcurrentAlterTests.NamesAsync($"SELECT slot_name::text FROM pg_replication_slots WHERE slot_name = '{PgLogicalNames.Slot(new(schema, table))}'");

    internal static async Task AssertNoSlotOrPublicationAsync(string schema, string table)
    {
        Assert.Empty(await SlotsAsync(schema, table));
        Assert.Empty(await PgConcurrentAlterTests.NamesAsync($"SELECT pubname::text FROM pg_publication WHERE pubname = '{PgLogicalNames.Publication(new(schema, table))}'"));
    }
}
