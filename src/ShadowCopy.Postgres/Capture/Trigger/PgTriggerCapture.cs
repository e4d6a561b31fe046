using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Verification;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres.Capture.Trigger;

/// <summary>
/// Trigger capture (ADR 0002): a row trigger logs changed keys; each batch re-copies those keys from
/// the original in one REPEATABLE READ snapshot. Log entries commit with the change, so there is
/// nothing to fence: a committed change's entry is already visible.
/// </summary>
internal sealed class PgTriggerCapture(PgStatements sql, TableName table, TimeSpan lockTimeout, int attempts) : IPgCapture
{
    private static readonly PgDialect D = PgDialect.Instance;
    private readonly HashSet<PgSession> _sessionsWithBatchTable = [];
    private bool _started;

    public string? Detail => null;

    public string? Position => null;

    public DirtyKeySet? AppliedKeys { get; set; }

    public async Task StartAsync(PgSession main, CancellationToken cancellationToken)
    {
        await main.ExecuteAsync(sql.CreateLogTable(), null, cancellationToken).ConfigureAwait(false);
        await main.ExecuteAsync($"COMMENT ON TABLE {sql.Log} IS {D.QuoteLiteral(PgObjects.Comment("change log", table))}", null, cancellationToken).ConfigureAwait(false);
        await main.ExecuteAsync(sql.CreateTriggerFunction(), null, cancellationToken).ConfigureAwait(false);
        await main.ExecuteAsync($"COMMENT ON FUNCTION {sql.Function}() IS {D.QuoteLiteral(PgObjects.Comment("capture function", table))}", null, cancellationToken).ConfigureAwait(false);
        _started = true;

        // CREATE TRIGGER takes SHARE ROW EXCLUSIVE (not ACCESS EXCLUSIVE): reads go on, and it
        // waits only for writers in flight. Bounded wait, retried; once it commits, every later
        // write is logged, and every copy snapshot starts after it.
        await PgObjects.WithLockRetriesAsync(main, lockTimeout, attempts, sql.CreateTrigger(), cancellationToken).ConfigureAwait(false);
    }

    public Task ResumeAsync(PgSession main, CancellationToken cancellationToken)
    {
        // The change log survived the killed run with every key logged since the trigger was
        // created and not yet applied: it is the durable queue, nothing to position.
        _started = true;
        return Task.CompletedTask;
    }

    public async Task<long> ApplyAsync(PgSession session, int maxChanges, bool ownTransaction, CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return 0;
        }

        // Inside the caller's transaction the CREATE rolls back with it (a cut-over attempt that
        // releases its lock), so there it is always re-issued (IF NOT EXISTS: cheap).
        if (_sessionsWithBatchTable.Add(session) || !ownTransaction)
        {
            await session.ExecuteAsync(sql.CreateBatchTable(), null, cancellationToken).ConfigureAwait(false);
        }

        var touched = new List<RowKey>();
        if (!ownTransaction)
        {
            // Inside the caller's transaction (the cut-over's): reported now; a rollback only leaves
            // keys to verify that need it no more.
            var applied = await ApplyBatchAsync(session, maxChanges, touched, cancellationToken).ConfigureAwait(false);
            AppliedKeys?.AddRange(touched);
            return applied;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                touched.Clear();
                await session.ExecuteAsync("BEGIN ISOLATION LEVEL REPEATABLE READ", null, cancellationToken).ConfigureAwait(false);
                var applied = await ApplyBatchAsync(session, maxChanges, touched, cancellationToken).ConfigureAwait(false);
                await session.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
                AppliedKeys?.AddRange(touched);
                return applied;
            }
            catch (PostgresException error) when (PgErrors.IsRetryable(error) && attempt < 5)
            {
                await session.RollbackQuietlyAsync().ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await session.RollbackQuietlyAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>One batch: take logged keys, delete them from the shadow, copy the original's current rows.</summary>
    private async Task<long> ApplyBatchAsync(PgSession session, int maxChanges, List<RowKey> touched, CancellationToken cancellationToken)
    {
        var taken = await session.QueryAsync(sql.TakeBatch(), [(long)maxChanges], cancellationToken).ConfigureAwait(false);
        var logRows = (long)taken[0][0]!;
        if (logRows == 0)
        {
            return 0;
        }

        // Statistics for the staged keys: without them the planner guesses and can join the
        // batch to the shadow and the original by scanning both (the applier then fell behind a
        // steady write load and catch-up never ended).
        await session.ExecuteAsync($"ANALYZE {PgTriggerSql.BatchTable}", null, cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync(sql.DeleteBatchFromShadow(), null, cancellationToken).ConfigureAwait(false);
        foreach (var statement in sql.DeleteUniqueCollisions())
        {
            await session.ExecuteAsync(statement, null, cancellationToken).ConfigureAwait(false);
        }

        await session.ExecuteAsync(sql.InsertBatchIntoShadow(), null, cancellationToken).ConfigureAwait(false);
        if (AppliedKeys is { Tracking: true })
        {
            foreach (var row in await session.QueryAsync(sql.BatchKeys(), null, cancellationToken).ConfigureAwait(false))
            {
                touched.Add(new RowKey(row.Select(v => (string)v!).ToArray()));
            }
        }

        // ON COMMIT DELETE ROWS empties the batch at commit; inside the cut-over transaction we
        // run several batches before committing, so empty it explicitly.
        await session.ExecuteAsync(PgTriggerSql.ClearBatchTable(), null, cancellationToken).ConfigureAwait(false);
        return logRows;
    }

    public Task FenceAsync(PgSession emitOn, PgSession applyOn, bool applyInOwnTransaction, TimeSpan timeout, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<long> BacklogAsync(PgSession main, CancellationToken cancellationToken) =>
        _started ? await main.ScalarAsync<long>(sql.Backlog(), null, cancellationToken).ConfigureAwait(false) : 0;

    public IEnumerable<string> CutOverStatements()
    {
        yield return sql.DropTrigger(sql.Source);
    }

    public async Task AfterSwapAsync(PgSession main, CancellationToken cancellationToken)
    {
        await main.ExecuteAsync($"DROP FUNCTION IF EXISTS {sql.Function}()", null, cancellationToken).ConfigureAwait(false);
        await main.ExecuteAsync($"DROP TABLE IF EXISTS {sql.Log}", null, cancellationToken).ConfigureAwait(false);
    }

    public IEnumerable<PlannedStatement> Describe()
    {
        yield return new("install capture", sql.CreateLogTable(), false);
        yield return new("install capture", sql.CreateTriggerFunction(), false);
        yield return new("install capture", sql.CreateTrigger(), false, "SHARE ROW EXCLUSIVE on the table, lock_timeout " + lockTimeout.TotalMilliseconds + " ms, retried");
        const string Apply = "apply (per batch, REPEATABLE READ)";
        yield return new(Apply, sql.TakeBatch(), false);
        yield return new(Apply, sql.DeleteBatchFromShadow(), false);
        foreach (var statement in sql.DeleteUniqueCollisions())
        {
            yield return new(Apply, statement, false);
        }

        yield return new(Apply, sql.InsertBatchIntoShadow(), false);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
