using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Npgsql;
using Npgsql.Replication;
using Npgsql.Replication.PgOutput;
using Npgsql.Replication.PgOutput.Messages;
using NpgsqlTypes;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Verification;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres.Capture.Logical;

/// <summary>
/// Triggerless capture: a publication for the one table and a pgoutput slot created before the copy,
/// so every change committed after the slot's consistent point is streamed. A background reader turns
/// the stream into <see cref="PgChange"/> records (bounded queue, commit order); the applier
/// writes the row images into the shadow — never re-reading the original — and acknowledges an LSN
/// only after the shadow transaction holding its changes committed.
/// </summary>
internal sealed class PgLogicalCapture : IPgCapture
{
    private const string FencePrefix = "shadowcopy";
    private static readonly PgDialect D = PgDialect.Instance;

    private readonly NpgsqlConnectionStringBuilder _settings;
    private readonly TableName _table;
    private readonly PgStatements _sql;
    private readonly PgMapping _mapping;
    private readonly PgCaptureOptions _options;
    private readonly Channel<PgChange> _changes = Channel.CreateBounded<PgChange>(new BoundedChannelOptions(20_000) { SingleReader = true, SingleWriter = true });
    private readonly Dictionary<PgRelationShape, ColumnPlan> _plans = [];
    private LogicalReplicationConnection? _replication;
    private PgSession? _flusher;
    private CancellationTokenSource? _stop;
    private Task? _reader;
    private Exception? _readerError;
    private (string Token, TaskCompletionSource Seen)? _fence;
    private long _queued;
    private long _retainedWal;
    private NpgsqlLogSequenceNumber _applied;

    public PgLogicalCapture(NpgsqlConnectionStringBuilder settings, TableName table, PgStatements sql, PgMapping mapping, PgCaptureOptions options)
    {
        _settings = settings;
        _table = table;
        _sql = sql;
        _mapping = mapping;
        _options = options;
        SlotName = PgLogicalNames.Slot(table);
        Publication = PgLogicalNames.Publication(table);
    }

    public string SlotName { get; }

    public string Publication { get; }

    public DirtyKeySet? AppliedKeys { get; set; }

    public string? Detail => _reader is null ? null : string.Create(CultureInfo.InvariantCulture, $"slot retains {_retainedWal / 1024.0 / 1024.0:0.0} MB of WAL (limit {_options.MaxSlotRetainedWalBytes / 1024.0 / 1024.0:0} MB), acknowledged {_applied}");

    public async Task StartAsync(PgSession main, CancellationToken cancellationToken)
    {
        await main.ExecuteAsync(CreatePublication(), null, cancellationToken).ConfigureAwait(false);
        await main.ExecuteAsync($"COMMENT ON PUBLICATION {D.QuoteIdentifier(Publication)} IS {D.QuoteLiteral(PgObjects.Comment("publication", _table))}", null, cancellationToken).ConfigureAwait(false);

        var replication = new LogicalReplicationConnection(_settings.ConnectionString)
        {
            WalReceiverStatusInterval = TimeSpan.FromSeconds(1),
        };
        _replication = replication;
        await replication.Open(cancellationToken).ConfigureAwait(false);

        // CREATE_REPLICATION_SLOT waits for transactions running now to finish (it needs a
        // consistent point); bound that wait so one forgotten transaction cannot hang us.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_options.SlotCreationTimeout);
        PgOutputReplicationSlot slot;

        // The replication protocol bypasses the session: record the command so the run's journal
        // (every schema-changing statement, via the transcript) shows the slot being created.
        main.Transcript.Record($"CREATE_REPLICATION_SLOT {SlotName} LOGICAL pgoutput (SNAPSHOT 'nothing')");
        try
        {
            slot = await replication.CreatePgOutputReplicationSlot(SlotName, temporarySlot: false, slotSnapshotInitMode: LogicalSlotSnapshotInitMode.NoExport, cancellationToken: bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ShadowCopyException(
                $"Creating replication slot {SlotName} did not finish within {_options.SlotCreationTimeout.TotalSeconds:0} s: it waits for every transaction open at that moment to end. Find the long-running transaction (pg_stat_activity) and run again.",
                ExitCodes.CaptureUnavailable);
        }

        StartStreaming(replication, slot);
    }

    public async Task ResumeAsync(PgSession main, CancellationToken cancellationToken)
    {
        var replication = new LogicalReplicationConnection(_settings.ConnectionString)
        {
            WalReceiverStatusInterval = TimeSpan.FromSeconds(1),
        };
        _replication = replication;
        await replication.Open(cancellationToken).ConfigureAwait(false);

        // No start LSN: the server streams from the slot's confirmed_flush_lsn, the last commit
        // acknowledged after the shadow committed it. Transactions after it are decoded again;
        // re-applying their row images in commit order converges (ADR 0011).
        StartStreaming(replication, new PgOutputReplicationSlot(SlotName));
    }

    private void StartStreaming(LogicalReplicationConnection replication, PgOutputReplicationSlot slot)
    {
        _stop = new CancellationTokenSource();
        var options = new PgOutputReplicationOptions(Publication, PgOutputProtocolVersion.V1, binary: false, messages: true);
        var stream = replication.StartReplication(slot, options, _stop.Token);
        _reader = Task.Run(() => ReadAsync(stream, _stop.Token), CancellationToken.None);
    }

    /// <summary>The last commit LSN acknowledged (the shadow holds everything up to it); informational.</summary>
    public string Position => _applied.ToString();

    private string CreatePublication() =>
        $"CREATE PUBLICATION {D.QuoteIdentifier(Publication)} FOR TABLE {_sql.Source} WITH (publish = 'insert, update, delete, truncate')";

    // ---- reader -----------------------------------------------------------------------------------

    private async Task ReadAsync(IAsyncEnumerable<PgOutputReplicationMessage> stream, CancellationToken cancellationToken)
    {
        PgRelationShape? relation = null;
        try
        {
            await foreach (var message in stream.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                PgChange? change = null;
                switch (message)
                {
                    case RelationMessage r:
                        relation = new PgRelationShape([.. r.Columns.Select(c => c.ColumnName)]);
                        break;
                    case InsertMessage m:
                        change = new PgChange(PgChangeKind.Insert, relation!, await ReadTupleAsync(m.NewRow, cancellationToken).ConfigureAwait(false), null, default);
                        break;
                    case FullUpdateMessage m:
                        var fullOld = await ReadTupleAsync(m.OldRow, cancellationToken).ConfigureAwait(false);
                        change = new PgChange(PgChangeKind.Update, relation!, await ReadTupleAsync(m.NewRow, cancellationToken).ConfigureAwait(false), fullOld, default);
                        break;
                    case IndexUpdateMessage m:
                        var key = await ReadTupleAsync(m.Key, cancellationToken).ConfigureAwait(false);
                        change = new PgChange(PgChangeKind.Update, relation!, await ReadTupleAsync(m.NewRow, cancellationToken).ConfigureAwait(false), key, default);
                        break;
                    case UpdateMessage m:
                        change = new PgChange(PgChangeKind.Update, relation!, await ReadTupleAsync(m.NewRow, cancellationToken).ConfigureAwait(false), null, default);
                        break;
                    case KeyDeleteMessage m:
                        change = new PgChange(PgChangeKind.Delete, relation!, null, await ReadTupleAsync(m.Key, cancellationToken).ConfigureAwait(false), default);
                        break;
                    case FullDeleteMessage m:
                        change = new PgChange(PgChangeKind.Delete, relation!, null, await ReadTupleAsync(m.OldRow, cancellationToken).ConfigureAwait(false), default);
                        break;
                    case TruncateMessage:
                        change = new PgChange(PgChangeKind.Truncate, relation!, null, null, default);
                        break;
                    case CommitMessage c:
                        change = new PgChange(PgChangeKind.Commit, relation!, null, null, c.TransactionEndLsn);
                        break;
                    case LogicalDecodingMessage d when d.Prefix == FencePrefix:
                        using (var reader = new StreamReader(d.Data, Encoding.UTF8))
                        {
                            var token = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
                            if (_fence is { } fence && fence.Token == token)
                            {
                                fence.Seen.TrySetResult();
                            }
                        }

                        break;
                }

                if (change is not null)
                {
                    await _changes.Writer.WriteAsync(change, cancellationToken).ConfigureAwait(false);
                    if (change.Kind != PgChangeKind.Commit)
                    {
                        Interlocked.Increment(ref _queued);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception error)
        {
            _readerError = error;
            _fence?.Seen.TrySetException(error);
        }
    }

    private static async Task<PgTuple> ReadTupleAsync(ReplicationTuple tuple, CancellationToken cancellationToken)
    {
        var values = new string?[tuple.NumColumns];
        var present = new bool[tuple.NumColumns];
        var i = 0;
        await foreach (var value in tuple.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            switch (value.Kind)
            {
                case TupleDataKind.Null:
                    present[i] = true;
                    break;
                case TupleDataKind.UnchangedToastedValue:
                    // pgoutput's 'u': the value did not change and was not sent. Never write it.
                    break;
                case TupleDataKind.TextValue:
                    values[i] = await value.Get<string>(cancellationToken).ConfigureAwait(false);
                    present[i] = true;
                    break;
                default:
                    throw new InvalidOperationException($"unexpected tuple value kind {value.Kind} (binary mode is off)");
            }

            i++;
        }

        return new PgTuple(values, present);
    }

    // ---- apply ------------------------------------------------------------------------------------

    public async Task<long> ApplyAsync(PgSession session, int maxChanges, bool ownTransaction, CancellationToken cancellationToken)
    {
        ThrowIfReaderFailed();

        // pgoutput sends only committed transactions, in commit order, so their row images may be
        // applied in pieces (a bulk UPDATE of millions of rows never has to sit in memory whole);
        // what must wait for the end of a transaction is the acknowledgement of its LSN.
        var batch = new List<PgChange>();
        NpgsqlLogSequenceNumber? lastCommit = null;
        var consumed = 0;
        while (batch.Count < maxChanges && _changes.Reader.TryRead(out var change))
        {
            consumed++;
            if (change.Kind == PgChangeKind.Commit)
            {
                lastCommit = change.Lsn;
            }
            else
            {
                batch.Add(change);
            }
        }

        if (consumed == 0)
        {
            return 0;
        }

        if (batch.Count > 0)
        {
            var commands = batch.SelectMany(Commands).ToList();
            if (ownTransaction)
            {
                // The slot is acknowledged up to this batch right after COMMIT. With a server-wide
                // synchronous_commit=off a crash could lose the applied batch while the slot has
                // already moved past it; the commit must be durable before the acknowledgement.
                await session.ExecuteAsync("BEGIN; SET LOCAL synchronous_commit = on", null, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await session.ExecuteBatchAsync(commands, cancellationToken).ConfigureAwait(false);
                if (ownTransaction)
                {
                    await session.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
                }
            }
            catch
            {
                if (ownTransaction)
                {
                    await session.RollbackQuietlyAsync().ConfigureAwait(false);
                }

                throw;
            }
        }

        if (AppliedKeys is { Tracking: true } keys)
        {
            // Reported once committed (or, inside the cut-over's transaction, at once: a rollback
            // there only leaves keys to verify that no longer need it).
            foreach (var change in batch)
            {
                if (change.Kind == PgChangeKind.Truncate)
                {
                    keys.Invalidate();
                    continue;
                }

                var plan = Plan(change.Relation);
                if (change.OldRow is { } old)
                {
                    keys.Add(plan.Key(old));
                }

                if (change.NewRow is { } row)
                {
                    keys.Add(plan.Key(row));
                }
            }
        }

        Interlocked.Add(ref _queued, -batch.Count);
        if (ownTransaction && lastCommit is { } lsn)
        {
            Acknowledge(lsn);
        }

        return consumed;
    }

    /// <summary>Tells the server it may recycle WAL up to <paramref name="lsn"/>: only after the shadow holds those changes.</summary>
    public void Acknowledge(NpgsqlLogSequenceNumber lsn)
    {
        _applied = lsn;
        _replication?.SetReplicationStatus(lsn);
    }

    private IEnumerable<(string Sql, IReadOnlyList<object?> Args)> Commands(PgChange change)
    {
        var plan = Plan(change.Relation);
        switch (change.Kind)
        {
            case PgChangeKind.Truncate:
                yield return ($"DELETE FROM {_sql.Shadow}", []);
                break;
            case PgChangeKind.Delete:
                yield return plan.Delete(change.OldRow!);
                break;
            case PgChangeKind.Insert:
            case PgChangeKind.Update:
                var row = change.NewRow!;
                if (change.OldRow is { } old && plan.KeyChanged(old, row))
                {
                    // A key update: the old key leaves the shadow, the new one is upserted.
                    yield return plan.Delete(old);
                }

                foreach (var command in plan.Collisions(row))
                {
                    yield return command;
                }

                if (plan.IsComplete(row))
                {
                    yield return plan.Upsert(row);
                }
                else if (plan.UpdateCarried(row) is { } partial)
                {
                    // Unchanged TOASTed values were not sent: touch only the columns that were.
                    yield return partial;
                }
                break;
        }
    }

    private ColumnPlan Plan(PgRelationShape relation)
    {
        if (!_plans.TryGetValue(relation, out var plan))
        {
            plan = new ColumnPlan(relation, _mapping, _sql);
            _plans[relation] = plan;
        }

        return plan;
    }

    // ---- fence, backlog, lifecycle ----------------------------------------------------------------

    public async Task FenceAsync(PgSession emitOn, PgSession applyOn, bool applyInOwnTransaction, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ThrowIfReaderFailed();

        // A non-transactional message written now is decoded after every transaction that
        // committed before it, so seeing it means the stream has delivered them all.
        var token = Guid.NewGuid().ToString("N");
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _fence = (token, seen);
        await emitOn.ExecuteAsync($"SELECT pg_catalog.pg_logical_emit_message(false, '{FencePrefix}', $1)", [token], cancellationToken).ConfigureAwait(false);

        // The walsender only sends WAL that is flushed, and nothing else commits while writes are
        // locked out (PostgreSQL 15 has no flush argument for the message): commit a one-xid
        // transaction with synchronous_commit on from another session to flush past the message.
        _flusher ??= await PgSession.OpenAsync(_settings, new Core.Sql.SqlTranscript { Enabled = false }, cancellationToken).ConfigureAwait(false);
        await _flusher.ExecuteAsync("BEGIN; SET LOCAL synchronous_commit = on; SELECT pg_catalog.pg_current_xact_id(); COMMIT", null, cancellationToken).ConfigureAwait(false);

        // Keep applying while waiting: the reader stops at a full queue, and the fence is behind
        // whatever fills it (found as a hang: the fence waited on a reader that waited on us).
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!seen.Task.IsCompleted)
        {
            ThrowIfReaderFailed();
            if (watch.Elapsed > timeout)
            {
                throw new PgFenceTimeoutException($"the replication stream did not reach the fence within {timeout.TotalMilliseconds:0} ms");
            }

            if (await ApplyAsync(applyOn, 2000, applyInOwnTransaction, cancellationToken).ConfigureAwait(false) == 0)
            {
                await Task.WhenAny(seen.Task, Task.Delay(10, cancellationToken)).ConfigureAwait(false);
            }
        }

        await seen.Task.ConfigureAwait(false);
    }

    private void ThrowIfReaderFailed()
    {
        if (_readerError is { } error)
        {
            throw new ShadowCopyException($"The replication stream failed: {error.Message}", ExitCodes.InternalError, error);
        }
    }

    public async Task<long> BacklogAsync(PgSession main, CancellationToken cancellationToken)
    {
        if (_reader is null)
        {
            return 0;
        }

        _retainedWal = await main.ScalarAsync<long>(
            "SELECT coalesce(pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), restart_lsn), 0)::bigint FROM pg_catalog.pg_replication_slots WHERE slot_name = $1",
            [SlotName],
            cancellationToken).ConfigureAwait(false);
        if (_retainedWal > _options.MaxSlotRetainedWalBytes)
        {
            throw new ShadowCopyException(
                string.Create(CultureInfo.InvariantCulture, $"Replication slot {SlotName} retains {_retainedWal:N0} bytes of WAL, more than --max-slot-retained-wal ({_options.MaxSlotRetainedWalBytes:N0}). Stopped before it could fill the disk; the slot and everything else were removed. Raise the limit, reduce the write load or throttle, and run again."),
                ExitCodes.SlotWalLimit);
        }

        return Interlocked.Read(ref _queued);
    }

    public IEnumerable<string> CutOverStatements() => [];

    public async Task AfterSwapAsync(PgSession main, CancellationToken cancellationToken)
    {
        await DisposeAsync().ConfigureAwait(false);
        await PgLogicalNames.DropSlotAsync(main, SlotName, cancellationToken).ConfigureAwait(false);
        await main.ExecuteAsync($"DROP PUBLICATION IF EXISTS {D.QuoteIdentifier(Publication)}", null, cancellationToken).ConfigureAwait(false);
    }

    public IEnumerable<PlannedStatement> Describe()
    {
        yield return new("install capture", CreatePublication(), false);
        yield return new("install capture", $"CREATE_REPLICATION_SLOT {SlotName} LOGICAL pgoutput (SNAPSHOT 'nothing')  -- replication protocol; waits for transactions open at that moment", false);
        yield return new("install capture", $"START_REPLICATION SLOT {SlotName} LOGICAL 0/0 (proto_version '1', publication_names '{Publication}', messages 'true')", false);
        // What pgoutput announces: the original's columns, without generated ones.
        var sample = new PgRelationShape(_mapping.SourceColumns.Count > 0
            ? [.. _mapping.SourceColumns.Where(c => c.Generated.Length == 0).Select(c => c.Name)]
            : [.. _mapping.Copied.Select(c => c.SourceName)]);
        var plan = new ColumnPlan(sample, _mapping, _sql);
        var row = new PgTuple(new string?[sample.Columns.Count], [.. Enumerable.Repeat(true, sample.Columns.Count)]);
        const string Apply = "apply (per source transaction, from row images)";
        yield return new(Apply, plan.Upsert(row).Sql, false);
        yield return new(Apply, plan.Delete(row).Sql, false);
        foreach (var collision in plan.Collisions(row))
        {
            yield return new(Apply, collision.Sql, false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop is not null)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        if (_reader is not null)
        {
            // Cancelling the stream asks the walsender to stop, but a walsender busy decoding
            // other transactions' WAL may not answer for minutes (seen in full suite runs: the
            // test host idle, the walsender active). Bound the wait; then end the walsender from
            // a normal session, which breaks the stream at once.
            if (!await FinishesWithinAsync(_reader, StopTimeout).ConfigureAwait(false))
            {
                await TerminateWalSenderAsync().ConfigureAwait(false);
                await FinishesWithinAsync(_reader, StopTimeout).ConfigureAwait(false);
            }

            _reader = null;
        }

        if (_replication is not null)
        {
            var replication = _replication;
            _replication = null;
            if (!await FinishesWithinAsync(replication.DisposeAsync().AsTask(), StopTimeout).ConfigureAwait(false))
            {
                await TerminateWalSenderAsync().ConfigureAwait(false);
            }
        }

        if (_flusher is not null)
        {
            await _flusher.DisposeAsync().ConfigureAwait(false);
            _flusher = null;
        }

        _stop?.Dispose();
        _stop = null;
    }

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    /// <summary>True when <paramref name="task"/> ended (in any state) within <paramref name="timeout"/>; its errors are ours to ignore here.</summary>
    private static async Task<bool> FinishesWithinAsync(Task task, TimeSpan timeout)
    {
        if (await Task.WhenAny(task, Task.Delay(timeout)).ConfigureAwait(false) != task)
        {
            return false;
        }

        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or NpgsqlException or InvalidOperationException or ObjectDisposedException)
        {
            // Stopping a stream ends it with one of these; the capture is being disposed anyway.
        }

        return true;
    }

    /// <summary>Ends the walsender serving our slot (our own role may terminate its own backends).</summary>
    private async Task TerminateWalSenderAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(StopTimeout);
            var session = await PgSession.OpenAsync(_settings, new Core.Sql.SqlTranscript { Enabled = false }, timeout.Token).ConfigureAwait(false);
            await using (session.ConfigureAwait(false))
            {
                await session.QueryAsync(
                    "SELECT pg_catalog.pg_terminate_backend(active_pid) FROM pg_catalog.pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL",
                    [SlotName],
                    timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            // Best effort: cleanup drops the slot once the walsender is gone, and says so if it cannot.
        }
    }
}
