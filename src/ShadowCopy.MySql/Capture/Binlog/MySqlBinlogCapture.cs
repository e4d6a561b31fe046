using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql.Capture.Binlog;

/// <summary>
/// Binlog capture: a background reader keeps the replication stream's row events of our table,
/// grouped per source transaction; the applier replays them on the shadow from the row images
/// (never re-reading the source: a row can be in the binlog before its commit is visible to a
/// reader), a batch of whole transactions per shadow transaction, in binlog order. Replay is
/// idempotent (delete by key, then insert the after image), so events the copy already covered
/// can be replayed without harm, and order inside a batch makes key changes and unique swaps work.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "StopAsync cancels _stop; a CancellationTokenSource without a timer holds nothing to release.")]
internal sealed class MySqlBinlogCapture
{
    // The reader stops (and the server's dump thread waits on TCP) above this many queued row
    // changes. 500,000 made peak RSS grow with the table (292 MB at 5M rows in the benchmark, the
    // queue filling while verification paused the applier); 50,000 bounds it at tens of MB and is
    // still 25 apply batches ahead.
    private const long MaxQueuedChanges = 50_000;

    private readonly MySqlSettings _settings;
    private readonly ILogger _logger;
    private readonly Channel<BinlogTransaction> _queue = Channel.CreateUnbounded<BinlogTransaction>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly List<BinlogTransaction> _taken = [];
    private readonly CancellationTokenSource _stop = new();
    private MySqlRowApplier? _applier;
    private MySqlStatements? _sql;
    private BinlogClient? _client;
    private Task? _reader;
    private BinlogPosition? _lastSeen;
    private BinlogPosition? _lastTransactionEnd;
    private BinlogPosition? _start;
    private long _queued;
    private long _lagMicroseconds = -1;
    private DateTime _lastBeat = DateTime.MinValue;
    private string? _heartbeatTable;
    private string? _expectedMarker;
    private bool _markerInTransaction;
    private BinlogPosition? _markerEnd;
    private bool _watchAfterMarker;
    private bool _countingLeaks;
    private string? _shadowName;
    private long _leaked;
    private int _renameSeen;
    private Exception? _failure;

    public MySqlBinlogCapture(MySqlSettings settings, ILogger logger)
    {
        _settings = settings;
        _logger = logger;
    }

    public long Backlog => Interlocked.Read(ref _queued);

    /// <summary>Receives the keys of every committed apply batch (delta verification, ADR 0019).</summary>
    public DirtyKeySet? AppliedKeys { get; set; }

    /// <summary>The applier (null before <see cref="StartAsync"/>); tests reach its seam through it.</summary>
    internal MySqlRowApplier? Applier => _applier;

    /// <summary>While the lock-free copy runs: keys the applier removes go to its tombstones (<see cref="MySqlStatements.Tombstones"/>).</summary>
    public bool RecordDeletes { get; set; }

    public BinlogPosition? LastSeen => Volatile.Read(ref _lastSeen);

    /// <summary>How far behind the stream is: now minus the time of the last heartbeat row seen in it.</summary>
    public TimeSpan? Lag => Interlocked.Read(ref _lagMicroseconds) is var us and >= 0 ? TimeSpan.FromMicroseconds(us) : null;

    public string Detail => $"binlog lag {(Lag is { } lag ? $"{lag.TotalSeconds:0.0} s" : "?")}, at {LastSeen}";

    /// <summary>
    /// A position to restart the stream from after a crash: every change before it is committed in
    /// the shadow (so resuming there skips nothing), some after it may be too (replay is idempotent).
    /// When nothing of ours is queued or half-applied, that is the end of the last transaction the
    /// reader has passed; otherwise the end of the last transaction the applier committed. Call it
    /// between applies (the runner's checkpoint does), never during one.
    /// </summary>
    public BinlogPosition? CheckpointPosition
    {
        get
        {
            // Read the reader's position before the backlog: a transaction counts in the backlog
            // before the reader moves past it, so "position, then empty backlog" never skips one.
            var passed = Volatile.Read(ref _lastTransactionEnd);
            if (passed is not null && _taken.Count == 0 && Interlocked.Read(ref _queued) == 0)
            {
                return passed;
            }

            return _client?.AcknowledgedPosition ?? _start;
        }
    }

    /// <summary>Starts the stream at the server's current position, or at <paramref name="from"/> when resuming.</summary>
    public async Task StartAsync(MySqlSession session, MySqlStatements sql, MyTable source, BinlogPosition? from, CancellationToken cancellationToken)
    {
        var schema = await ColumnSchemaAsync(session, source, cancellationToken).ConfigureAwait(false);
        _sql = sql;
        var shadow = await MySqlInspector.ReadAsync(session, source.Schema, sql.Names.Shadow, cancellationToken).ConfigureAwait(false);
        _applier = new MySqlRowApplier(sql, source, shadow, schema.Select(s => s.Charset).ToList());
        _heartbeatTable = sql.Names.ChangeLog;
        _shadowName = sql.Names.Shadow;
        var start = from ?? await BinlogPositions.CurrentAsync(session, cancellationToken).ConfigureAwait(false);
        _start = start;
        _lastSeen = start;
        _client = new BinlogClient(_settings, new BinlogOptions
        {
            ServerId = 0x5C0F_0000u + (uint)Random.Shared.Next(1_000_000),
            HeartbeatInterval = TimeSpan.FromSeconds(1),
            // Only our table's and the heartbeat's row events are decoded; the rest (above all the
            // copy's own inserts into the shadow, the whole table again) is skipped undecoded.
            IncludeTable = (database, table) => string.Equals(database, source.Schema, StringComparison.Ordinal)
                && (string.Equals(table, source.Name, StringComparison.Ordinal) || string.Equals(table, _heartbeatTable, StringComparison.Ordinal)),
        });
        Log.BinlogStart(_logger, start);
        _reader = Task.Run(() => ReadAsync(_client, start, source, schema, _stop.Token), CancellationToken.None);
    }

    /// <summary>
    /// Writes the heartbeat row (at most once a second). Its row event comes back through the stream,
    /// and the difference between its time and the moment the reader sees it is the capture lag.
    /// </summary>
    public async Task BeatAsync(MySqlSession session, MySqlStatements sql, CancellationToken cancellationToken)
    {
        if (DateTime.UtcNow - _lastBeat < TimeSpan.FromSeconds(1))
        {
            return;
        }

        _lastBeat = DateTime.UtcNow;
        await session.ExecuteAsync($"INSERT INTO {sql.Log} (id, beat, note) VALUES (1, UTC_TIMESTAMP(6), 'heartbeat') ON DUPLICATE KEY UPDATE beat = VALUES(beat)", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies queued transactions (whole ones, up to about <paramref name="maxChanges"/> rows) in one shadow transaction.</summary>
    public async Task<long> ApplyAsync(MySqlSession session, int maxChanges, BinlogPosition? upTo, CancellationToken cancellationToken)
    {
        ThrowIfFailed();
        var count = _taken.Sum(t => t.Changes.Count);
        while (count < maxChanges && _queue.Reader.TryPeek(out var next) && (upTo is null || BinlogPositions.Compare(next.End, upTo) <= 0))
        {
            _queue.Reader.TryRead(out _);
            _taken.Add(next);
            count += next.Changes.Count;
        }

        if (_taken.Count == 0)
        {
            return 0;
        }

        var touched = new List<RowKey>();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                touched.Clear();
                await session.ExecuteAsync("START TRANSACTION", cancellationToken).ConfigureAwait(false);
                var removed = RecordDeletes ? new List<IReadOnlyList<string>>() : null;
                await _applier!.ApplyAsync(session, _taken.SelectMany(t => t.Changes), removed, touched, cancellationToken).ConfigureAwait(false);

                if (removed is { Count: > 0 })
                {
                    // In the batch's own transaction: a tombstone exists exactly when its delete is applied.
                    await session.ExecuteAsync(_sql!.RecordTombstones(removed), cancellationToken).ConfigureAwait(false);
                }

                await session.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (MySqlServerException error) when (MySqlErrors.IsRetryable(error) && attempt < 5)
            {
                await session.ResetQuietlyAsync().ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await session.ResetQuietlyAsync().ConfigureAwait(false);
                throw;
            }
        }

        AppliedKeys?.AddRange(touched);
        _client!.Acknowledge(_taken[^1].End);
        Interlocked.Add(ref _queued, -count);
        _taken.Clear();
        return count;
    }

    /// <summary>
    /// A binlog position that every change committed so far is at or before, established by writing a
    /// marker row and waiting for it to come back through the stream (as gh-ost does). SHOW MASTER
    /// STATUS is not enough: a transaction can have committed and released its locks while the
    /// position reported lags behind its events, and a drain to that position would miss them.
    /// </summary>
    public async Task<BinlogPosition> MarkAsync(MySqlSession session, MySqlStatements sql, TimeSpan timeout, bool watchAfterMarker, CancellationToken cancellationToken)
    {
        var marker = "marker " + Guid.NewGuid().ToString("N");
        Volatile.Write(ref _markerEnd, null);
        Volatile.Write(ref _watchAfterMarker, watchAfterMarker);
        Interlocked.Exchange(ref _leaked, 0);
        Interlocked.Exchange(ref _renameSeen, 0);
        Volatile.Write(ref _expectedMarker, marker);
        await session.ExecuteAsync(
            $"INSERT INTO {sql.Log} (id, beat, note) VALUES (2, UTC_TIMESTAMP(6), {session.Literal(marker)}) ON DUPLICATE KEY UPDATE beat = VALUES(beat), note = VALUES(note)",
            cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + timeout;
        BinlogPosition? end;
        while ((end = Volatile.Read(ref _markerEnd)) is null)
        {
            ThrowIfFailed();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the binlog reader did not see the marker within {timeout.TotalSeconds:0} s (at {LastSeen})");
            }

            await Task.Delay(2, cancellationToken).ConfigureAwait(false);
        }

        return end;
    }

    /// <summary>
    /// Row changes that reached the original table after the cut-over marker and before the RENAME
    /// (read from the stream once the RENAME has come through it). Anything but zero means writes
    /// slipped between the drain and the swap: they are in <c>_t_old</c>, not in the new table.
    /// </summary>
    public async Task<long?> ChangesAfterMarkerAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _renameSeen) == 0)
        {
            if (DateTime.UtcNow > deadline || Volatile.Read(ref _failure) is not null)
            {
                return null;
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }

        return Interlocked.Read(ref _leaked);
    }

    private static string? MarkerText(object? value) => value switch
    {
        string s => s,
        byte[] b => System.Text.Encoding.UTF8.GetString(b),
        _ => null,
    };

    /// <summary>Waits until the reader has passed <paramref name="target"/> and applies everything up to it.</summary>
    public async Task DrainToAsync(MySqlSession session, BinlogPosition target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            ThrowIfFailed();
            var seen = LastSeen!;
            while (await ApplyAsync(session, 5000, target, cancellationToken).ConfigureAwait(false) > 0)
            {
            }

            if (BinlogPositions.Compare(seen, target) >= 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the binlog reader did not reach {target} within {timeout.TotalSeconds:0} s (at {seen})");
            }

            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        if (_reader is not null)
        {
            try
            {
                await _reader.ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or MySqlException)
            {
                // Stopping: the stream's end does not matter any more.
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw new ShadowCopyException($"Binlog capture failed: {failure.Message}. Nothing was swapped; the original table is unchanged.", ExitCodes.InternalError, failure);
        }
    }

    private async Task ReadAsync(BinlogClient client, BinlogPosition start, MyTable source, List<(int? CollationId, string? Charset, bool Unsigned)> schema, CancellationToken cancellationToken)
    {
        var pending = new List<BinlogRowChange>();
        try
        {
            await foreach (var ev in client.ReadEventsAsync(start, cancellationToken).ConfigureAwait(false))
            {
                if (ev is TableMapEvent map && Ours(map, source))
                {
                    // MariaDB sends no column metadata by default (binlog_row_metadata=NO_LOG):
                    // signedness and charset come from the catalog, before the rows are parsed.
                    for (var i = 0; i < map.Columns.Count && i < source.Columns.Count; i++)
                    {
                        map.Columns[i].ApplySchema(source.Columns[i].Name, schema[i].Unsigned, schema[i].CollationId);
                    }
                }
                else if (ev is RowsEvent rows && Ours(rows.Table, source))
                {
                    pending.AddRange(rows.Rows);
                    if (_countingLeaks)
                    {
                        Interlocked.Add(ref _leaked, rows.Rows.Count);
                    }
                }
                else if (ev is QueryEvent query && _countingLeaks && query.Sql.StartsWith("RENAME TABLE", StringComparison.OrdinalIgnoreCase) && query.Sql.Contains(_shadowName!, StringComparison.Ordinal))
                {
                    _countingLeaks = false;
                    Interlocked.Exchange(ref _renameSeen, 1);
                }
                else if (ev is RowsEvent beat && beat.Table.TableName == _heartbeatTable && beat.Table.DatabaseName == source.Schema && beat.Rows[^1].After is { } row && !row.IsNull(1))
                {
                    var lag = DateTime.UtcNow - row.GetDateTime(1).ToDateTime();
                    Interlocked.Exchange(ref _lagMicroseconds, Math.Max(0, (long)lag.TotalMicroseconds));
                    _markerInTransaction |= !row.IsNull(2) && row.GetValue(2) is var note && MarkerText(note) == Volatile.Read(ref _expectedMarker);
                }

                if (ev.IsTransactionEnd)
                {
                    if (pending.Count > 0)
                    {
                        while (Interlocked.Read(ref _queued) > MaxQueuedChanges)
                        {
                            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
                        }

                        Interlocked.Add(ref _queued, pending.Count);
                        _queue.Writer.TryWrite(new BinlogTransaction(pending, ev.Position));
                        pending = [];
                    }

                    Volatile.Write(ref _lastSeen, ev.Position);
                    Volatile.Write(ref _lastTransactionEnd, ev.Position);
                    if (_markerInTransaction)
                    {
                        _markerInTransaction = false;
                        _countingLeaks = Volatile.Read(ref _watchAfterMarker);
                        Volatile.Write(ref _markerEnd, ev.Position);
                    }
                }
                else if (pending.Count == 0 && BinlogPositions.Compare(ev.Position, LastSeen!) > 0)
                {
                    Volatile.Write(ref _lastSeen, ev.Position);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception error)
        {
            Log.BinlogReaderFailed(_logger, error, error.Message);
            Volatile.Write(ref _failure, error);
        }
    }

    private static bool Ours(TableMapEvent map, MyTable source) =>
        string.Equals(map.DatabaseName, source.Schema, StringComparison.Ordinal) && string.Equals(map.TableName, source.Name, StringComparison.Ordinal);

    private static async Task<List<(int? CollationId, string? Charset, bool Unsigned)>> ColumnSchemaAsync(MySqlSession session, MyTable source, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(
            $"SELECT c.COLUMN_NAME, co.ID, c.CHARACTER_SET_NAME, c.COLUMN_TYPE FROM information_schema.COLUMNS c LEFT JOIN information_schema.COLLATIONS co ON co.COLLATION_NAME = c.COLLATION_NAME WHERE c.TABLE_SCHEMA = {session.Literal(source.Schema)} AND BINARY c.TABLE_NAME = {session.Literal(source.Name)} ORDER BY c.ORDINAL_POSITION",
            cancellationToken).ConfigureAwait(false);
        return rows.Rows.Select(r => (
            r.IsNull(1) ? (int?)63 : (int)r.GetInt64(1),
            r.IsNull(2) ? null : r.GetString(2),
            r.GetString(3).Contains("unsigned", StringComparison.OrdinalIgnoreCase))).ToList();
    }
}
