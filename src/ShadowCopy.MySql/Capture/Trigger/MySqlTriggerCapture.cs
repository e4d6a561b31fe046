using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Copy;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Capture.Trigger;

/// <summary>
/// Trigger capture (docs/adr/0020-mysql-trigger-capture-logs-keys.md): AFTER triggers log each
/// changed key into a key log in the writer's transaction; the applier takes logged keys in id
/// order and re-copies them from the original with the copy's own statement, on the copy's session,
/// under READ COMMITTED (a consistent read: no lock on the original). A log entry becomes visible
/// exactly when its change commits, and the re-copy reads no older than that, so every logged key
/// converges on the original's state; entries are removed by id, never by range, so one that
/// commits late with a smaller id is not lost. Application writes touch only the original and the
/// key log: never the shadow, so they never wait on the copy's locks or its AUTO-INC lock.
/// </summary>
internal sealed class MySqlTriggerCapture
{
    private readonly MySqlStatements _sql;
    private readonly AlterOptions _options;
    private readonly List<IReadOnlyList<MyColumnMap>> _enforcedUniques;
    private readonly MySqlStagedWriter _writer;

    public MySqlTriggerCapture(MySqlStatements sql, MyTable source, MyTable shadow, AlterOptions options)
    {
        _sql = sql;
        _options = options;
        _enforcedUniques = MySqlStaging.EnforcedUniques(source, shadow, sql);
        _writer = new MySqlStagedWriter(sql, source, shadow);
    }

    /// <summary>Receives the keys of every committed apply batch (delta verification, ADR 0019).</summary>
    public DirtyKeySet? AppliedKeys { get; set; }

    /// <summary>Test seam: runs inside every apply batch after its rows reached the shadow.</summary>
    public Func<MySqlSession, IReadOnlyList<RowKey>, CancellationToken, Task>? AfterApplyForTests { get; set; }

    /// <summary>Creates the key log, then the triggers (bounded metadata-lock waits, retried); every change committed afterwards is logged.</summary>
    public async Task StartAsync(MySqlSession main, CancellationToken cancellationToken)
    {
        await main.ExecuteAsync(_sql.CreateKeyLog(), cancellationToken).ConfigureAwait(false);
        foreach (var (_, sql) in _sql.CreateTriggers(_options.Table.Name))
        {
            await MySqlObjects.WithLockRetriesAsync(main, _options.CutOverLockTimeout, _options.CutOverAttempts, sql, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Applies up to <paramref name="maxChanges"/> logged keys in one transaction; returns how many log entries were consumed.</summary>
    public async Task<long> ApplyAsync(MySqlSession session, int maxChanges, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await session.ExecuteAsync("START TRANSACTION", cancellationToken).ConfigureAwait(false);
                var (consumed, keys) = await ApplyBatchAsync(session, maxChanges, cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
                AppliedKeys?.AddRange(keys);
                return consumed;
            }
            catch (MySqlServerException error) when (MySqlErrors.IsRetryable(error) && attempt < 5)
            {
                await session.ResetQuietlyAsync().ConfigureAwait(false);
                await Task.Delay(Backoff.Jittered(attempt, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(2)), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await session.ResetQuietlyAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// The final drain, while <paramref name="locker"/> holds <c>LOCK TABLES t WRITE</c>: only that
    /// session can read the original now, so it reads the logged keys' rows, and the applier's session
    /// writes them through the staging tables (the same conversion as the copy, ADR 0019) until the
    /// key log is empty. No writer can log a key meanwhile.
    /// </summary>
    public async Task DrainUnderLockAsync(MySqlSession locker, MySqlSession main, CancellationToken cancellationToken)
    {
        while (true)
        {
            var taken = await main.QueryAsync(_sql.TakeKeys(5_000), cancellationToken).ConfigureAwait(false);
            if (taken.Rows.Count == 0)
            {
                return;
            }

            var ids = taken.Rows.Select(r => r.GetString(0)).ToList();
            var keys = Keys(taken, first: 1).Distinct().ToList();
            var rows = new List<string>();
            foreach (var batch in keys.Chunk(500))
            {
                var read = await locker.QueryAsync(_sql.SelectKeysForStaging(batch.Select(k => k.Parts)), cancellationToken).ConfigureAwait(false);
                rows.AddRange(read.Rows.Select(r => $"({string.Join(", ", Enumerable.Range(0, read.Columns.Count).Select(i => MySqlLiteral.FromText(read.Columns[i], r, i)))})"));
            }

            await main.ExecuteAsync("START TRANSACTION", cancellationToken).ConfigureAwait(false);
            try
            {
                await _writer.WriteAsync(main, keys, rows, cancellationToken).ConfigureAwait(false);
                foreach (var batch in ids.Chunk(1000))
                {
                    await main.ExecuteAsync(_sql.ForgetKeys(batch), cancellationToken).ConfigureAwait(false);
                }

                await main.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await main.ResetQuietlyAsync().ConfigureAwait(false);
                throw;
            }

            AppliedKeys?.AddRange(keys);
        }
    }

    public async Task<long> BacklogAsync(MySqlSession session, CancellationToken cancellationToken) =>
        await session.ScalarInt64Async(_sql.KeyLogBacklog(), cancellationToken).ConfigureAwait(false);

    /// <summary>The keys the log holds in the caller's snapshot: changes in flight there.</summary>
    public async Task<IReadOnlyList<RowKey>> PendingKeysAsync(MySqlSession session, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(_sql.PendingKeys(), cancellationToken).ConfigureAwait(false);
        return Keys(rows, first: 0).ToList();
    }

    /// <summary>Keys as literals from the <see cref="MySqlStatements.KeyCount"/> columns starting at <paramref name="first"/>.</summary>
    private IEnumerable<RowKey> Keys(MySqlResultSet result, int first) =>
        result.Rows.Select(r => new RowKey(Enumerable.Range(first, _sql.KeyCount).Select(i => MySqlLiteral.FromText(result.Columns[i], r, i)).ToArray()));

    private async Task<(long Consumed, List<RowKey> Keys)> ApplyBatchAsync(MySqlSession session, int maxChanges, CancellationToken cancellationToken)
    {
        var taken = await session.QueryAsync(_sql.TakeKeys(maxChanges), cancellationToken).ConfigureAwait(false);
        if (taken.Rows.Count == 0)
        {
            return (0, []);
        }

        var ids = taken.Rows.Select(r => r.GetString(0)).ToList();
        var keys = Keys(taken, first: 1).Distinct().ToList();
        foreach (var batch in keys.Chunk(500))
        {
            var parts = batch.Select(k => k.Parts).ToList();
            await session.ExecuteAsync($"DELETE FROM {_sql.Shadow} WHERE {_sql.ShadowKeyIn(parts)}", cancellationToken).ConfigureAwait(false);
            foreach (var unique in _enforcedUniques)
            {
                await session.ExecuteAsync(_sql.DeleteUniqueHolders(unique, parts), cancellationToken).ConfigureAwait(false);
            }

            // The copy's own statement (INSERT IGNORE … SELECT, same sql_mode), so a change is
            // converted exactly as the copy converts it (ADR 0019).
            var copied = await session.ExecuteAsync(_sql.ApplyKeys(parts), cancellationToken).ConfigureAwait(false);
            if (copied.Warnings > 0)
            {
                await MySqlCopyWarnings.ThrowIfLossyAsync(session, duplicatesViolate: true, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var batch in ids.Chunk(1000))
        {
            await session.ExecuteAsync(_sql.ForgetKeys(batch), cancellationToken).ConfigureAwait(false);
        }

        if (AfterApplyForTests is { } hook)
        {
            await hook(session, keys, cancellationToken).ConfigureAwait(false);
        }

        return (ids.Count, keys);
    }
}
