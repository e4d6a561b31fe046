using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.Postgres;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// Issue 20, point 4 (ADR 0029): a run never makes writers queue behind an autovacuum. A slow
/// autovacuum is running on the table when the run starts; while the run works under a write load, a
/// monitor watches for any lock request on the schema's tables waiting while an autovacuum worker holds
/// that table — what happens when a lock is requested without clearing it first (the server cancels the
/// autovacuum only after deadlock_timeout, and writers queue behind the waiting request meanwhile).
/// </summary>
[Collection("postgres")]
public sealed class PgAutovacuumTests(ITestOutputHelper output)
{
    private const string Alter = "ADD COLUMN note text DEFAULT 'n/a'";

    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Alter_as_superuser_cancels_the_autovacuum_before_its_lock_requests(string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = await SlowAutovacuumTableAsync(schema);
        try
        {
            var (result, sink, waitedBehind) = await RunWhileAutovacuumAsync(schema, layout, PgAlterHarness.Options(schema.Name, "orders", Alter), capture, null);

            Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
            Assert.Equal(0, waitedBehind);
            var detail = sink.Statuses.Select(s => s.CaptureDetail).LastOrDefault(d => d is not null && d.Contains("autovacuum:", StringComparison.Ordinal));
            output.WriteLine($"{capture}: {detail}");
            Assert.NotNull(detail);
            Assert.DoesNotContain("autovacuum: 0 cancelled", detail, StringComparison.Ordinal);
        }
        finally
        {
            await PgCleanup.RunAsync(PgServer.Settings(), new TableName(schema.Name, "orders"), TimeSpan.FromSeconds(2), CancellationToken.None);
        }
    }

    [Fact]
    public async Task Alter_by_the_tables_owner_without_superuser_waits_for_the_autovacuum_instead()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = await SlowAutovacuumTableAsync(schema);
        var role = "it_av_" + Guid.NewGuid().ToString("N")[..8];
        const string Password = "it-av-password";
        await PgServer.ExecAsync(
            $"CREATE ROLE {role} LOGIN PASSWORD '{Password}'; GRANT USAGE, CREATE ON SCHEMA {schema.Q} TO {role}; "
            + $"ALTER TABLE {layout.Table} OWNER TO {role}; GRANT ALL ON ALL TABLES IN SCHEMA {schema.Q} TO {role}; GRANT ALL ON ALL SEQUENCES IN SCHEMA {schema.Q} TO {role};");
        try
        {
            // Nobody but a superuser may cancel an autovacuum on PostgreSQL 15: here it ends when we end it, after 3 s.
            var (result, sink, waitedBehind) = await RunWhileAutovacuumAsync(schema, layout, PgAlterHarness.Options(schema.Name, "orders", Alter), "trigger", (role, Password));

            Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
            Assert.Equal(0, waitedBehind);
            var detail = sink.Statuses.Select(s => s.CaptureDetail).LastOrDefault(d => d is not null && d.Contains("autovacuum:", StringComparison.Ordinal));
            output.WriteLine(detail);
            Assert.NotNull(detail);
            Assert.Contains("autovacuum: 0 cancelled, waited", detail, StringComparison.Ordinal);
        }
        finally
        {
            await PgCleanup.RunAsync(PgServer.Settings(), new TableName(schema.Name, "orders"), TimeSpan.FromSeconds(2), CancellationToken.None);
            await PgServer.ExecAsync($"DROP SCHEMA {schema.Q} CASCADE; CREATE SCHEMA {schema.Q}; DROP OWNED BY {role}; DROP ROLE {role};");
        }
    }

    /// <summary>A table with dead rows and an autovacuum throttled to a crawl, due at once.</summary>
    private static async Task<PgTableLayout> SlowAutovacuumTableAsync(PgSchemaScope schema)
    {
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(30_000);
        await PgServer.ExecAsync(
            $"ALTER TABLE {layout.Table} SET (autovacuum_vacuum_threshold = 0, autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1); "
            + $"DELETE FROM {layout.Table} WHERE id % 3 = 0; DELETE FROM {layout.Control} WHERE id % 3 = 0;");
        return layout;
    }

    private async Task<(AlterResult Result, RecordingStatusSink Sink, long WaitedBehind)> RunWhileAutovacuumAsync(
        PgSchemaScope schema, PgTableLayout layout, AlterOptions options, string capture, (string User, string Password)? login)
    {
        var oid = await PgServer.ScalarAsync<uint>($"SELECT '{layout.Table}'::regclass::oid");
        var worker = $"SELECT coalesce(max(a.pid), 0) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid WHERE a.backend_type = 'autovacuum worker' AND l.relation = {oid} AND l.granted";
        await PgServer.ExecAsync("ALTER SYSTEM SET autovacuum_naptime = 1; SELECT pg_reload_conf();");
        try
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (await PgServer.ScalarAsync<int>(worker) == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "no autovacuum started on the table");
                await Task.Delay(100);
            }

            // One autovacuum is enough to show the behaviour: no new one while the run works.
            await PgServer.ExecAsync("ALTER SYSTEM RESET autovacuum_naptime; SELECT pg_reload_conf();");
            await using var load = new PgWriterLoad(layout, writers: 2);
            await load.StartAsync(30_000);
            using var stop = new CancellationTokenSource();
            long waitedBehind = 0;
            var monitor = Task.Run(async () =>
            {
                await using var connection = await PgServer.OpenAsync();
                var sql = $"""
                    SELECT count(*) FROM pg_locks w
                    JOIN pg_class c ON c.oid = w.relation JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE NOT w.granted AND w.locktype = 'relation' AND n.nspname = '{schema.Name}'
                      AND EXISTS (SELECT 1 FROM pg_locks h JOIN pg_stat_activity a ON a.pid = h.pid
                                  WHERE a.backend_type = 'autovacuum worker' AND h.granted AND h.relation = w.relation)
                    """;
                while (!stop.IsCancellationRequested)
                {
                    await using var command = new NpgsqlCommand(sql, connection);
                    waitedBehind = Math.Max(waitedBehind, (long)(await command.ExecuteScalarAsync())!);
                    await Task.Delay(10);
                }
            });

            // Without the right to cancel, the run waits; the autovacuum "ends" after 3 s.
            var ender = login is null ? Task.CompletedTask : Task.Run(async () =>
            {
                await Task.Delay(3000);
                await PgServer.ExecAsync($"SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'");
            });

            var sink = new RecordingStatusSink();
            var result = await PgAlterHarness.RunAsync(options, sink: sink, capture: PgAlterHarness.Logical with { Mode = capture }, user: login?.User, password: login?.Password);
            await ender;
            await stop.CancelAsync();
            await monitor;
            await load.StopAsync();
            Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
            Assert.Equal(
                await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
                await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
            return (result, sink, waitedBehind);
        }
        finally
        {
            await PgServer.ExecAsync("ALTER SYSTEM RESET autovacuum_naptime; SELECT pg_reload_conf();");
        }
    }
}
