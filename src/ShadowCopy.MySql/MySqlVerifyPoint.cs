using ShadowCopy.Core.Engine;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// A point where, in binlog mode, the shadow equals the original: a side session holds
/// <c>LOCK TABLES t READ</c> (granted once every writer of t has committed; bounded wait,
/// retried), the applier drains the binlog to the position read under the lock, and the
/// verifier's sessions open their consistent snapshots before the lock is released — the same
/// snapshot, since neither table can change while t is locked and the applier is idle.
/// </summary>
internal static class MySqlVerifyPoint
{
    public static async Task TakeAsync(MySqlAlterBackend backend, IReadOnlyList<MySqlSession> snapshots, CancellationToken cancellationToken)
    {
        var options = backend.Options;
        var locker = await backend.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (locker.ConfigureAwait(false))
        {
            await LockAsync(locker, $"LOCK TABLES {backend.Statements.Source} READ", options.CutOverLockTimeout, options.CutOverAttempts, cancellationToken).ConfigureAwait(false);
            try
            {
                var target = await backend.Binlog!.MarkAsync(backend.MainSession, backend.Statements, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
                await backend.Binlog.DrainToAsync(backend.MainSession, target, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
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
