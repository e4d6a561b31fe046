using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// Issue 14: a captured change reaches the shadow exactly as the copy would have put it there, and
/// every row changed after the copy's verification is verified again before the swap (ADR 0019).
/// </summary>
[Collection("mysql")]
public sealed class MyConversionTests
{
    /// <summary>The reported corruption: ENUM/SET → VARCHAR written during a postponed cut-over came out as index and bitmask.</summary>
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task EnumAndSetToVarchar_changedWhilePostponed_keepTheWords(CaptureMode capture)
    {
        var name = UniqueName("enumset");
        var table = $"{Q(Database)}.{Q(name)}";
        var flag = Path.Combine(Path.GetTempPath(), $"sc-postpone-{Guid.NewGuid():N}");
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT AUTO_INCREMENT PRIMARY KEY, i INT NOT NULL, e ENUM('red','green','blue','orange') NULL COLLATE utf8mb4_bin, s SET('a','b','c') NULL)");
            await ExecAsync($"INSERT INTO {table} VALUES (NULL, 7, 'red', 'a,b')");
            await File.WriteAllTextAsync(flag, "hold");
            var sink = new RecordingStatusSink
            {
                OnEnter = phase =>
                {
                    if (phase == Phase.Postponed)
                    {
                        ExecAsync($"INSERT INTO {table} VALUES (NULL, 11, 'red', 'c')").GetAwaiter().GetResult();
                        ExecAsync($"UPDATE {table} SET e = 'orange', s = 'a,c' WHERE id = 1").GetAwaiter().GetResult();
                        _ = Task.Delay(TimeSpan.FromSeconds(2)).ContinueWith(_ => File.Delete(flag), TaskScheduler.Default);
                    }
                },
            };
            var options = MyAlterHarness.Options(name, "CHANGE e e VARCHAR(32) NOT NULL DEFAULT '', MODIFY s VARCHAR(20)") with { PostponeCutOverFlagFile = flag };

            var result = await MyAlterHarness.RunAsync(options, capture, sink);

            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            var rows = await ColumnAsync($"SELECT CONCAT_WS('|', id, i, e, s) FROM {table} ORDER BY id");
            Assert.Equal(["1|7|orange|a,c", "2|11|red|c"], rows);
            Assert.True(result.RowsVerifiedAfterCopy >= 2, $"rows verified after the copy: {result.RowsVerifiedAfterCopy}");

            // Delta verification would repair a wrong conversion by re-applying from the original;
            // the applier itself must never need that.
            Assert.Equal(0, result.RowsReapplied);
        }
        finally
        {
            File.Delete(flag);
            await DropAsync(name);
        }
    }

    /// <summary>
    /// A wrong conversion injected into the applier after the copy's verification must never be swapped
    /// in: delta verification finds the rows, re-applies them from the original, finds them wrong again
    /// (the injection repeats), and the run fails with exit 4 naming the keys; the original keeps serving.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task WrongConversionAfterVerification_isFoundAndRefused_originalKeepsServing(CaptureMode capture)
    {
        var name = UniqueName("tamper");
        var table = $"{Q(Database)}.{Q(name)}";
        var flag = Path.Combine(Path.GetTempPath(), $"sc-postpone-{Guid.NewGuid():N}");
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
            await ExecAsync($"INSERT INTO {table} SELECT seq, CONCAT('v', seq) FROM seq_1_to_500");
            await File.WriteAllTextAsync(flag, "hold");
            var writes = 0;
            var sink = new RecordingStatusSink
            {
                OnEnter = phase =>
                {
                    if (phase == Phase.Postponed && Interlocked.Increment(ref writes) == 1)
                    {
                        ExecAsync($"UPDATE {table} SET v = 'changed' WHERE id IN (7, 42)").GetAwaiter().GetResult();
                        _ = Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(_ => File.Delete(flag), TaskScheduler.Default);
                    }
                },
            };
            var options = MyAlterHarness.Options(name, "MODIFY v VARCHAR(40) NOT NULL") with { PostponeCutOverFlagFile = flag, VerifyAttempts = 2 };
            var before = await ColumnAsync($"SELECT CONCAT(id, '=', v) FROM {table} ORDER BY id");

            // Every applied batch and every re-apply corrupts what it wrote: the wrong conversion is
            // persistent, as a real one would be.
            var corrupting = false;
            await using var backend = new MySqlAlterBackend(Settings(), options, capture, NullLogger.Instance)
            {
                AfterApplyForTests = async (session, keys, token) =>
                {
                    if (Volatile.Read(ref corrupting))
                    {
                        await session.ExecuteAsync($"UPDATE {Q(Database)}.{Q("_" + name + "_new")} SET v = 'wrong' WHERE id IN (7, 42)", token);
                    }
                },
            };
            sink.OnEnter += phase =>
            {
                if (phase == Phase.Verifying)
                {
                    Volatile.Write(ref corrupting, true);
                }
            };

            var result = await new AlterRunner(backend, options, sink, NullLogger.Instance).RunAsync(CancellationToken.None);

            Assert.True(result.ExitCode == ExitCodes.VerificationFailed, $"exit {result.ExitCode}: {result.Message}");
            Assert.Contains("(id)=(7)", result.Message, StringComparison.Ordinal);
            Assert.Contains("(id)=(42)", result.Message, StringComparison.Ordinal);
            // The original serves with its own shape and the application's writes; nothing of ours is left.
            var after = await ColumnAsync($"SELECT CONCAT(id, '=', v) FROM {table} ORDER BY id");
            Assert.Equal(before.Select(r => r is "7=v7" ? "7=changed" : r is "42=v42" ? "42=changed" : r), after);
            Assert.Contains("varchar(20)", await ScalarAsync($"SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 'v'"), StringComparison.Ordinal);
            Assert.Equal([name], await ObjectsAsync(name));
        }
        finally
        {
            File.Delete(flag);
            await DropAsync(name);
        }
    }

    /// <summary>A one-off wrong row after the copy's verification is found, re-applied from the original, verified, and the run completes correctly.</summary>
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task OneOffWrongRowAfterVerification_isReappliedAndVerified(CaptureMode capture)
    {
        var name = UniqueName("oneoff");
        var table = $"{Q(Database)}.{Q(name)}";
        var flag = Path.Combine(Path.GetTempPath(), $"sc-postpone-{Guid.NewGuid():N}");
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT PRIMARY KEY, v VARCHAR(20) NOT NULL)");
            await ExecAsync($"INSERT INTO {table} SELECT seq, CONCAT('v', seq) FROM seq_1_to_500");
            await File.WriteAllTextAsync(flag, "hold");
            var corruptions = 0;
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
                        ExecAsync($"UPDATE {table} SET v = 'changed' WHERE id = 9").GetAwaiter().GetResult();
                        _ = Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(_ => File.Delete(flag), TaskScheduler.Default);
                    }
                },
            };
            var options = MyAlterHarness.Options(name, "MODIFY v VARCHAR(40) NOT NULL") with { PostponeCutOverFlagFile = flag };
            await using var backend = new MySqlAlterBackend(Settings(), options, capture, NullLogger.Instance)
            {
                AfterApplyForTests = async (session, keys, token) =>
                {
                    if (Volatile.Read(ref armed) && Interlocked.Increment(ref corruptions) == 1)
                    {
                        await session.ExecuteAsync($"UPDATE {Q(Database)}.{Q("_" + name + "_new")} SET v = 'wrong' WHERE id = 9", token);
                    }
                },
            };

            var result = await new AlterRunner(backend, options, sink, NullLogger.Instance).RunAsync(CancellationToken.None);

            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.True(result.RowsReapplied >= 1, $"rows re-applied: {result.RowsReapplied}");
            Assert.Equal("changed", await ScalarAsync($"SELECT v FROM {table} WHERE id = 9"));
            Assert.Equal("500", await ScalarAsync($"SELECT COUNT(*) FROM {table} WHERE v LIKE 'v%' OR id = 9"));
        }
        finally
        {
            File.Delete(flag);
            await DropAsync(name);
        }
    }
}
