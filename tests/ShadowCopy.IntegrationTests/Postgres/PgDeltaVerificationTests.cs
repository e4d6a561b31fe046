using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.Postgres;
using ShadowCopy.Postgres.Capture;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>Issue 14 on PostgreSQL: rows changed after the copy's verification are verified again before the swap (ADR 0019).</summary>
[Collection("postgres")]
public sealed class PgDeltaVerificationTests
{
    public static TheoryData<string> Modes => new() { "trigger", "logical" };

    /// <summary>A persistent wrong conversion after verification is refused with exit 4 naming the keys; the original keeps serving.</summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public async Task WrongConversionAfterVerification_isRefused_originalKeepsServing(string mode)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var table = schema.Table("t");
        await PgServer.ExecAsync($"CREATE TABLE {table} (id bigint PRIMARY KEY, v text NOT NULL); INSERT INTO {table} SELECT g, 'v' || g FROM generate_series(1, 500) g;");
        var before = await PgCatalogSnapshot.TakeAsync(schema.Name);
        var flag = Path.Combine(Path.GetTempPath(), $"sc-postpone-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(flag, "hold");
        try
        {
            var armed = false;
            var sink = new RecordingStatusSink
            {
                OnEnter = phase =>
                {
                    if (phase == Phase.Verifying)
                    {
                        Volatile.Write(ref armed, true);
                    }
                    else if (phase == Phase.Postponed)
                    {
                        PgServer.ExecAsync($"UPDATE {table} SET v = 'changed' WHERE id IN (7, 42)").GetAwaiter().GetResult();
                        _ = Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(_ => File.Delete(flag), TaskScheduler.Default);
                    }
                },
            };
            var options = PgAlterHarness.Options(schema.Name, "t", "ALTER COLUMN v TYPE varchar(40)") with { PostponeCutOverFlagFile = flag, VerifyAttempts = 2 };
            await using var backend = new PgAlterBackend(PgServer.Settings(), options, NullLogger.Instance, Capture(mode))
            {
                AfterApplyForTests = async (session, token) =>
                {
                    if (Volatile.Read(ref armed))
                    {
                        await session.ExecuteAsync($"UPDATE {schema.Table("_t_new")} SET v = 'wrong' WHERE id IN (7, 42)", null, token);
                    }
                },
            };

            var result = await new AlterRunner(backend, options, sink, NullLogger.Instance).RunAsync(CancellationToken.None);

            Assert.True(result.ExitCode == ExitCodes.VerificationFailed, $"exit {result.ExitCode}: {result.Message}");
            Assert.Contains("(id)=(7)", result.Message, StringComparison.Ordinal);
            Assert.Contains("(id)=(42)", result.Message, StringComparison.Ordinal);
            Assert.Equal("changed", await PgServer.ScalarAsync<string>($"SELECT v FROM {table} WHERE id = 42"));

            // Undo the test's own writes: then nothing may differ from before the run (shape, objects, data).
            await PgServer.ExecAsync($"UPDATE {table} SET v = 'v' || id WHERE id IN (7, 42)");
            Assert.Equal(before, await PgCatalogSnapshot.TakeAsync(schema.Name));
        }
        finally
        {
            File.Delete(flag);
        }
    }

    /// <summary>A one-off wrong row is found, re-applied from the original and verified; the run completes with the right data.</summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public async Task OneOffWrongRowAfterVerification_isReappliedAndVerified(string mode)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var table = schema.Table("t");
        await PgServer.ExecAsync($"CREATE TABLE {table} (id bigint PRIMARY KEY, v text NOT NULL); INSERT INTO {table} SELECT g, 'v' || g FROM generate_series(1, 500) g;");
        var flag = Path.Combine(Path.GetTempPath(), $"sc-postpone-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(flag, "hold");
        try
        {
            var armed = false;
            var corruptions = 0;
            var sink = new RecordingStatusSink
            {
                OnEnter = phase =>
                {
                    if (phase == Phase.Verifying)
                    {
                        Volatile.Write(ref armed, true);
                    }
                    else if (phase == Phase.Postponed)
                    {
                        PgServer.ExecAsync($"UPDATE {table} SET v = 'changed' WHERE id = 9").GetAwaiter().GetResult();
                        _ = Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(_ => File.Delete(flag), TaskScheduler.Default);
                    }
                },
            };
            var options = PgAlterHarness.Options(schema.Name, "t", "ALTER COLUMN v TYPE varchar(40)") with { PostponeCutOverFlagFile = flag };
            await using var backend = new PgAlterBackend(PgServer.Settings(), options, NullLogger.Instance, Capture(mode))
            {
                AfterApplyForTests = async (session, token) =>
                {
                    if (Volatile.Read(ref armed) && Interlocked.Increment(ref corruptions) == 1)
                    {
                        await session.ExecuteAsync($"UPDATE {schema.Table("_t_new")} SET v = 'wrong' WHERE id = 9", null, token);
                    }
                },
            };

            var result = await new AlterRunner(backend, options, sink, NullLogger.Instance).RunAsync(CancellationToken.None);

            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.True(result.RowsReapplied >= 1, $"rows re-applied: {result.RowsReapplied}");
            Assert.True(result.RowsVerifiedAfterCopy >= 1, $"rows verified after the copy: {result.RowsVerifiedAfterCopy}");
            Assert.Equal("changed", await PgServer.ScalarAsync<string>($"SELECT v FROM {table} WHERE id = 9"));
            Assert.Equal(499L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE v = 'v' || id"));
        }
        finally
        {
            File.Delete(flag);
        }
    }

    private static PgCaptureOptions? Capture(string mode) => mode == "logical" ? PgAlterHarness.Logical : null;
}
