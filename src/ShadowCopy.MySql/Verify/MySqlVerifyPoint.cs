using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Capture.Binlog;
using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql.Verify;

/// <summary>
/// A point where, in binlog mode, the shadow equals the original. On MariaDB without any lock (the
/// snapshot's binlog position, below); elsewhere a side session holds
/// <c>LOCK TABLES t READ</c> (granted once every writer of t has committed; bounded wait,
/// retried), the applier drains the binlog to the position read under the lock, and the
/// verifier's sessions open their consistent snapshots before the lock is released — the same
/// snapshot, since neither table can change while t is locked and the applier is idle.
/// </summary>
internal static class MySqlVerifyPoint
{
    /// <param name="run">The run.</param>
    /// <param name="binlog">The run's replication stream.</param>
    /// <param name="snapshots">The first reads the original; the others read the shadow.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public static async Task TakeAsync(MySqlRun run, MySqlBinlogCapture binlog, IReadOnlyList<MySqlSession> snapshots, CancellationToken cancellationToken)
    {
        if (await TryWithoutLockAsync(run, binlog, snapshots, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var options = run.Options;
        var locker = await run.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (locker.ConfigureAwait(false))
        {
            await LockAsync(locker, $"LOCK TABLES {run.Statements.Source} READ", options.CutOverLockTimeout, options.CutOverAttempts, cancellationToken).ConfigureAwait(false);
            try
            {
                var target = await binlog.MarkAsync(run.MainSession, run.Statements, TimeSpan.FromSeconds(30), watchAfterMarker: false, cancellationToken).ConfigureAwait(false);
                await binlog.DrainToAsync(run.MainSession, target, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
                foreach (var snapshot in snapshots)
                {
                    await snapshot.ExecuteAsync("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                await locker.ResetQuietlyAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// MariaDB reports, for a consistent snapshot, the binlog position it corresponds to
    /// (binlog_snapshot_file/position, MariaDB KB "Enhancements for START TRANSACTION WITH CONSISTENT
    /// SNAPSHOT"): every transaction before it is visible in the snapshot and none after it. So the
    /// source side opens its snapshot first, the applier applies exactly up to that position, and the
    /// shadow side opens its snapshot then: the same point, without blocking a single writer. MySQL
    /// has no such status: false, and the caller takes the lock.
    /// </summary>
    private static async Task<bool> TryWithoutLockAsync(MySqlRun run, MySqlBinlogCapture binlog, IReadOnlyList<MySqlSession> snapshots, CancellationToken cancellationToken)
    {
        if (run.SnapshotReportsBinlogPosition == false || snapshots.Count < 2 || run.VerifyWithLockForTests)
        {
            return false;
        }

        var source = snapshots[0];
        await source.ExecuteAsync("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", cancellationToken).ConfigureAwait(false);
        try
        {
            var status = await source.QueryAsync("SHOW STATUS WHERE Variable_name IN ('binlog_snapshot_file', 'binlog_snapshot_position')", cancellationToken).ConfigureAwait(false);
            var values = status.Rows.ToDictionary(r => r.GetString(0), r => r.GetString(1), StringComparer.OrdinalIgnoreCase);
            if (!values.TryGetValue("binlog_snapshot_file", out var file) || string.IsNullOrEmpty(file) || !values.TryGetValue("binlog_snapshot_position", out var position))
            {
                run.SnapshotReportsBinlogPosition = false;
                await source.ExecuteAsync("ROLLBACK", cancellationToken).ConfigureAwait(false);
                return false;
            }

            run.SnapshotReportsBinlogPosition = true;
            var target = new BinlogPosition(file, long.Parse(position, System.Globalization.CultureInfo.InvariantCulture));
            await binlog.DrainToAsync(run.MainSession, target, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            foreach (var shadow in snapshots.Skip(1))
            {
                await shadow.ExecuteAsync("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY", cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch
        {
            await source.ResetQuietlyAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>LOCK TABLES with a bounded lock_wait_timeout, retried with jitter; gives up with a verification failure.</summary>
    public static async Task LockAsync(MySqlSession session, string lockSql, TimeSpan timeout, int attempts, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await session.ExecuteAsync(MySqlObjects.LockWaitTimeout(timeout), cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync(lockSql, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (MySqlServerException error) when (MySqlErrors.IsLockTimeout(error) && attempt < attempts)
            {
                await Task.Delay(Backoff.Jittered(attempt, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5)), cancellationToken).ConfigureAwait(false);
            }
            catch (MySqlServerException error) when (MySqlErrors.IsLockTimeout(error))
            {
                throw new ShadowCopyException($"Verification could not get a consistent point: {lockSql} not granted within {timeout.TotalSeconds:0} s after {attempt} attempts. Nothing was swapped.", ExitCodes.VerificationFailed, error);
            }
        }
    }
}
