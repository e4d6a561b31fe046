using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.MySql.Protocol.Payloads;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Binlog;

/// <summary>
/// Reads the binlog as a replica: registers with COM_REGISTER_SLAVE, then streams with COM_BINLOG_DUMP
/// (file/position, or MariaDB GTID via @slave_connect_state) or COM_BINLOG_DUMP_GTID (MySQL). After a
/// transport failure it reconnects from the last acknowledged position (or the last transaction end).
/// </summary>
public sealed class BinlogClient
{
    private const ushort NonBlockFlag = 0x01;
    private const ushort ThroughGtidFlag = 0x04;

    /// <summary>MariaDB BINLOG_SEND_ANNOTATE_ROWS_EVENT: include ANNOTATE_ROWS events (the statement behind row events).</summary>
    private const ushort SendAnnotateRowsFlag = 0x02;

    private readonly MySqlSettings _settings;
    private readonly BinlogOptions _options;
    private readonly ILogger _logger;
    private BinlogPosition? _acknowledged;

    public BinlogClient(MySqlSettings settings, BinlogOptions options)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        _settings = settings with { CommandTimeout = TimeSpan.Zero };
        _options = options;
        _logger = settings.LoggerFactory?.CreateLogger<BinlogClient>() ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Last position passed to <see cref="Acknowledge"/>.</summary>
    public BinlogPosition? AcknowledgedPosition => _acknowledged;

    /// <summary>Records that everything up to <paramref name="position"/> (a transaction end) is applied; reconnects resume there.</summary>
    public void Acknowledge(BinlogPosition position) => _acknowledged = position;

    /// <summary>Streams events from <paramref name="start"/> until cancelled (or the end of the binlog with <see cref="BinlogOptions.StopAtEnd"/>).</summary>
    public async IAsyncEnumerable<BinlogEvent> ReadEventsAsync(BinlogPosition start, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        var resume = start;
        var attempt = 0;
        while (true)
        {
            var connection = await MySqlClientConnection.OpenAsync(_settings, cancellationToken).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                var tracker = new BinlogPositionTracker(resume, connection.IsMariaDb);
                var parser = await StartDumpAsync(connection, resume, cancellationToken).ConfigureAwait(false);
                var events = ReadSessionAsync(connection, parser, tracker, cancellationToken).GetAsyncEnumerator(cancellationToken);
                await using (events.ConfigureAwait(false))
                {
                    while (true)
                    {
                        BinlogEvent? next;
                        try
                        {
                            if (!await events.MoveNextAsync().ConfigureAwait(false))
                            {
                                yield break;
                            }

                            next = events.Current;
                        }
                        catch (Exception ex) when (IsTransient(ex) && attempt < _options.MaxReconnectAttempts && !cancellationToken.IsCancellationRequested)
                        {
                            attempt++;
                            resume = _acknowledged ?? tracker.LastTransactionEnd;
                            Log.BinlogReconnecting(_logger, resume, attempt, ex);
                            next = null;
                        }

                        if (next is null)
                        {
                            break;
                        }

                        if (next.IsTransactionEnd)
                        {
                            // Only real progress resets the budget: a source that fails right after the replayed
                            // ROTATE/FORMAT_DESCRIPTION must not make the reconnect loop unbounded.
                            attempt = 0;
                        }

                        yield return next;
                    }
                }
            }

            await Task.Delay(_options.ReconnectDelay, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Transport failures, and the errors a server sends when it ends a dump for reasons outside the stream
    /// (1053 shutdown, 1317 interrupted, 1927 connection killed), are worth a reconnect; others are not.
    /// </summary>
    private static bool IsTransient(Exception exception) => exception switch
    {
        MySqlIOException or MySqlTimeoutException => true,
        MySqlServerException server => server.ErrorCode is 1053 or 1317 or 1927,
        _ => false,
    };

    private async Task<BinlogEventParser> StartDumpAsync(MySqlClientConnection connection, BinlogPosition start, CancellationToken cancellationToken)
    {
        Log.BinlogStarting(_logger, start);
        var checksumValue = await connection.ScalarStringAsync("SELECT @@global.binlog_checksum", cancellationToken).ConfigureAwait(false);
        var checksum = string.Equals(checksumValue, "CRC32", StringComparison.OrdinalIgnoreCase) ? BinlogChecksumAlgorithm.Crc32 : BinlogChecksumAlgorithm.Off;

        // Declaring checksum awareness makes the server keep checksums instead of stripping them (MySQL WL#2540).
        var setup = new List<string> { "SET @master_binlog_checksum = @@global.binlog_checksum" };
        if (_options.HeartbeatInterval > TimeSpan.Zero)
        {
            setup.Add(string.Create(CultureInfo.InvariantCulture, $"SET @master_heartbeat_period = {(long)_options.HeartbeatInterval.TotalMilliseconds * 1_000_000L}"));
        }

        var useGtid = _options.UseGtid && start.GtidSet is not null;
        if (connection.IsMariaDb)
        {
            // Capability 4 (MARIA_SLAVE_CAPABILITY_GTID): send GTID events instead of rewriting them as BEGIN queries.
            setup.Add("SET @mariadb_slave_capability = 4");
            if (useGtid)
            {
                setup.Add("SET @slave_connect_state = " + MySqlEscaping.QuoteString(start.GtidSet!, connection.NoBackslashEscapes));
                setup.Add("SET @slave_gtid_strict_mode = 0");
                setup.Add("SET @slave_gtid_ignore_duplicates = 0");
            }
        }

        foreach (var sql in setup)
        {
            await connection.ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
        }

        await RegisterAsync(connection, cancellationToken).ConfigureAwait(false);
        var flags = (ushort)((_options.StopAtEnd ? NonBlockFlag : 0) | (connection.IsMariaDb ? SendAnnotateRowsFlag : 0));
        var writer = new PacketWriter();
        if (useGtid && !connection.IsMariaDb)
        {
            var set = MySqlGtidSet.Parse(start.GtidSet!);
            writer.WriteUInt16((ushort)(flags | ThroughGtidFlag));
            writer.WriteUInt32(_options.ServerId);
            writer.WriteUInt32(0); // file name length: GTID decides where to start
            writer.WriteUInt64(4);
            writer.WriteUInt32((uint)set.EncodedLength);
            set.Encode(writer);
            await connection.SendCommandAsync(CommandKind.BinlogDumpGtid, writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // MariaDB with @slave_connect_state ignores the file name; file/position otherwise.
            if (!useGtid && start.Position is < 4 or > uint.MaxValue)
            {
                // COM_BINLOG_DUMP carries a 4-byte position; larger offsets need a GTID start.
                throw new MySqlProtocolException($"Binlog position {start.Position} cannot be sent with COM_BINLOG_DUMP (4 to {uint.MaxValue}); start by GTID instead.");
            }

            writer.WriteUInt32(useGtid ? 4u : (uint)start.Position);
            writer.WriteUInt16(flags);
            writer.WriteUInt32(_options.ServerId);
            writer.WriteString(useGtid ? string.Empty : start.FileName);
            await connection.SendCommandAsync(CommandKind.BinlogDump, writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        }

        return new BinlogEventParser(checksum, _options.VerifyChecksum, _options.IncludeTable);
    }

    /// <summary>COM_REGISTER_SLAVE: server id, empty host/user/password, port 0, rank 0, source id 0.</summary>
    private async Task RegisterAsync(MySqlClientConnection connection, CancellationToken cancellationToken)
    {
        var writer = new PacketWriter(32);
        writer.WriteUInt32(_options.ServerId);
        writer.WriteByte(0);
        writer.WriteByte(0);
        writer.WriteByte(0);
        writer.WriteUInt16(0);
        writer.WriteUInt32(0);
        writer.WriteUInt32(0);
        await connection.SendCommandAsync(CommandKind.RegisterSlave, writer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        var reply = await connection.ReadPayloadAsync(cancellationToken).ConfigureAwait(false);
        if (reply.Length > 0 && reply.Span[0] == 0xFF)
        {
            throw ErrorPayload.Parse(reply.Span).ToException();
        }

        OkPayload.Parse(reply.Span);
    }

    private async IAsyncEnumerable<BinlogEvent> ReadSessionAsync(
        MySqlClientConnection connection,
        BinlogEventParser parser,
        BinlogPositionTracker tracker,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var readTimeout = _options.ReadTimeout ?? (_options.HeartbeatInterval > TimeSpan.Zero ? _options.HeartbeatInterval * 3 : Timeout.InfiniteTimeSpan);
        while (true)
        {
            ReadOnlyMemory<byte> payload;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                if (readTimeout > TimeSpan.Zero)
                {
                    timeout.CancelAfter(readTimeout);
                }

                try
                {
                    payload = await connection.ReadPayloadAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new MySqlTimeoutException($"No binlog event or heartbeat within {readTimeout}.");
                }
            }

            var span = payload.Span;
            if (span.Length == 0)
            {
                throw new MySqlProtocolException("Empty packet in the binlog stream.");
            }

            if (span[0] == 0xFF)
            {
                throw ErrorPayload.Parse(span).ToException();
            }

            if (span[0] == 0xFE && span.Length < 9)
            {
                yield break; // end of binlog (BINLOG_DUMP_NON_BLOCK)
            }

            if (span[0] != 0x00)
            {
                throw new MySqlProtocolException($"Unexpected packet 0x{span[0]:X2} in the binlog stream.");
            }

            var binlogEvent = parser.Parse(span[1..], out var header);
            if (binlogEvent is TransactionPayloadEvent compressed)
            {
                // A compressed transaction: its events are delivered in its place. They have no position of
                // their own in the file; each takes the payload event's end, the only place a resume can name
                // (the transaction's XID is its last inner event).
                foreach (var (innerHeader, inner) in compressed.Events)
                {
                    tracker.Advance(innerHeader with { NextPosition = header.NextPosition }, inner);
                    if (inner is not null)
                    {
                        yield return inner;
                    }
                }

                continue;
            }

            tracker.Advance(header, binlogEvent);
            if (binlogEvent is null)
            {
                if (!header.EventType.IsRowsEvent())
                {
                    // Row events left out by IncludeTable are the bulk of the stream; not logged one by one.
                    Log.BinlogSkippedEvent(_logger, (int)header.EventType, tracker.Current);
                }

                continue;
            }

            yield return binlogEvent;
        }
    }
}
