using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// On MariaDB the binlog verification point needs no lock (a consistent snapshot reports its binlog
/// position; ADR 0019): verification must pass while a writer keeps a transaction open on the table,
/// where LOCK TABLES … READ would wait for it.
/// </summary>
[Collection("mysql")]
public sealed class MyVerifyPointTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Verification_whileAWriterHoldsAnOpenTransaction_passesWithoutALockOnMariaDb(bool forceLock)
    {
        var name = UniqueName("vpoint");
        var table = $"{Q(Database)}.{Q(name)}";
        var flag = Path.Combine(Path.GetTempPath(), $"sc-postpone-{Guid.NewGuid():N}");
        await using var writer = await OpenAsync();
        try
        {
            await ExecAsync($"CREATE TABLE {table} (id INT PRIMARY KEY, v INT NOT NULL)");
            await ExecAsync($"INSERT INTO {table} SELECT seq, seq FROM seq_1_to_3000");
            await File.WriteAllTextAsync(flag, "hold");
            var postponed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sink = new RecordingStatusSink
            {
                OnEnter = phase =>
                {
                    if (phase == Phase.CatchingUp)
                    {
                        // An application transaction that stays open across the verification.
                        writer.ExecuteAsync("START TRANSACTION").GetAwaiter().GetResult();
                        writer.ExecuteAsync($"UPDATE {table} SET v = -1 WHERE id = 5").GetAwaiter().GetResult();
                    }
                    else if (phase == Phase.Postponed)
                    {
                        postponed.TrySetResult();
                    }
                },
            };
            var options = MyAlterHarness.Options(name, "ADD COLUMN c INT") with
            {
                PostponeCutOverFlagFile = flag,
                CutOverLockTimeout = TimeSpan.FromSeconds(1),
                CutOverAttempts = 2,
            };
            await using var backend = new MySqlAlterBackend(Settings(), options, CaptureMode.Binlog, NullLogger.Instance) { VerifyWithLockForTests = forceLock };
            var run = new AlterRunner(backend, options, sink, NullLogger.Instance).RunAsync(CancellationToken.None);

            var reached = await Task.WhenAny(postponed.Task, run, Task.Delay(TimeSpan.FromSeconds(20))) == postponed.Task;
            await writer.ExecuteAsync("COMMIT");
            File.Delete(flag);
            var result = await run;

            if (forceLock)
            {
                // The lock waits for the open transaction and gives up: the control case.
                Assert.False(reached, "verification under LOCK TABLES passed while a writer held its transaction open");
                Assert.Equal(ExitCodes.VerificationFailed, result.ExitCode);
                return;
            }

            Assert.True(reached, $"verification did not pass while a writer held a transaction open: exit {result.ExitCode}: {result.Message}");
            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal("-1", await ScalarAsync($"SELECT v FROM {table} WHERE id = 5"));
        }
        finally
        {
            File.Delete(flag);
            await DropAsync(name);
        }
    }
}
