using System.Buffers.Binary;
using System.Text;
using ShadowCopy.MySql.Protocol.Binlog;
using ShadowCopy.MySql.Protocol.Payloads;
using ShadowCopy.MySql.Protocol.Serialization;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Binlog;

/// <summary>The MySQL 8 replication path end to end against a scripted server: setup, COM_REGISTER_SLAVE, COM_BINLOG_DUMP_GTID, events.</summary>
public sealed class BinlogClientFakeServerTests
{
    private const string SourceUuid = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

    [Fact]
    public async Task ReadEventsAsync_mysql_gtid_dump_sends_documented_commands_and_yields_events()
    {
        var (server, commands, queries) = StartReplicationServer("8.0.36", CommandKind.BinlogDumpGtid, MySqlTransaction());
        await using var disposeServer = server;
        var client = new BinlogClient(server.Settings(), new BinlogOptions { ServerId = 77, UseGtid = true, StopAtEnd = true, HeartbeatInterval = TimeSpan.FromSeconds(5) });
        var events = new List<BinlogEvent>();
        await foreach (var e in client.ReadEventsAsync(new BinlogPosition(string.Empty, 4, $"{SourceUuid}:1-41")))
        {
            events.Add(e);
        }

        await server.Completion;
        Assert.Equal(
            new[] { "SELECT @@global.binlog_checksum", "SET @master_binlog_checksum = @@global.binlog_checksum", "SET @master_heartbeat_period = 5000000000" },
            queries);

        var register = commands.Single(c => c[0] == (byte)CommandKind.RegisterSlave);
        Assert.Equal(Hex.Bytes("15 4d 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"), register);

        var dump = commands.Single(c => c[0] == (byte)CommandKind.BinlogDumpGtid);
        var reader = new PacketReader(dump.AsSpan(1));
        Assert.Equal(0x05, reader.ReadUInt16()); // BINLOG_THROUGH_GTID | BINLOG_DUMP_NON_BLOCK
        Assert.Equal(77u, reader.ReadUInt32());
        Assert.Equal(0u, reader.ReadUInt32());
        Assert.Equal(4UL, reader.ReadUInt64());
        Assert.Equal(8u + 16 + 8 + 16, reader.ReadUInt32());
        Assert.Equal(1UL, reader.ReadUInt64());
        Assert.Equal(Guid.Parse(SourceUuid), new Guid(reader.ReadSpan(16), bigEndian: true));
        Assert.Equal(1UL, reader.ReadUInt64());
        Assert.Equal((1UL, 42UL), (reader.ReadUInt64(), reader.ReadUInt64()));
        Assert.True(reader.IsAtEnd);

        Assert.Collection(
            events,
            e => Assert.Equal("binlog.000003", Assert.IsType<RotateEvent>(e).NextFileName),
            e => Assert.IsType<FormatDescriptionEvent>(e),
            e => Assert.Equal($"{SourceUuid}:42", Assert.IsType<GtidEvent>(e).Gtid),
            e => Assert.True(Assert.IsType<QueryEvent>(e).IsBegin),
            e => Assert.Equal("t", Assert.IsType<TableMapEvent>(e).TableName),
            e => Assert.Equal("{\"a\": 1, \"b\": [true, \"x\"]}", Assert.IsType<WriteRowsEvent>(e).Rows[0].After![4]),
            e =>
            {
                Assert.IsType<XidEvent>(e);
                Assert.True(e.IsTransactionEnd);
                Assert.Equal($"binlog.000003:1500 gtid={SourceUuid}:1-42", e.Position.ToString());
            });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadEventsAsync_mariadb_dump_sets_capability_and_connect_state(bool useGtid)
    {
        var (server, commands, queries) = StartReplicationServer("10.11.6-MariaDB", CommandKind.BinlogDump, MariaDbTransaction());
        await using var disposeServer = server;
        var client = new BinlogClient(server.Settings(), new BinlogOptions { ServerId = 78, UseGtid = useGtid, StopAtEnd = true, HeartbeatInterval = TimeSpan.Zero });
        var events = new List<BinlogEvent>();
        await foreach (var e in client.ReadEventsAsync(new BinlogPosition("mariadb-bin.000007", 1234, "0-1-41")))
        {
            events.Add(e);
        }

        await server.Completion;
        var expected = new List<string> { "SELECT @@global.binlog_checksum", "SET @master_binlog_checksum = @@global.binlog_checksum", "SET @mariadb_slave_capability = 4" };
        if (useGtid)
        {
            expected.AddRange(["SET @slave_connect_state = '0-1-41'", "SET @slave_gtid_strict_mode = 0", "SET @slave_gtid_ignore_duplicates = 0"]);
        }

        Assert.Equal(expected, queries);
        var dump = commands.Single(c => c[0] == (byte)CommandKind.BinlogDump);
        // position(4), flags(2) = NON_BLOCK | SEND_ANNOTATE_ROWS, server id(4), file name (empty with GTID)
        var expectedDump = useGtid ? Hex.Bytes("12 04 00 00 00 03 00 4e 00 00 00") : [.. Hex.Bytes("12 d2 04 00 00 03 00 4e 00 00 00"), .. "mariadb-bin.000007"u8.ToArray()];
        Assert.Equal(expectedDump, dump);
        var xid = Assert.IsType<XidEvent>(events[^1]);
        Assert.True(xid.IsTransactionEnd);
        Assert.Equal("mariadb-bin.000008:1500 gtid=0-9-42", xid.Position.ToString());
        Assert.Equal("0-9-42", Assert.Single(events.OfType<MariaDbGtidEvent>()).Gtid);
    }

    [Fact]
    public async Task ReadEventsAsync_compressed_transaction_yields_inner_events_at_the_payload_end()
    {
        var (server, _, _) = StartReplicationServer("8.0.36", CommandKind.BinlogDump, MySqlCompressedTransaction());
        await using var disposeServer = server;
        var client = new BinlogClient(server.Settings(), new BinlogOptions { ServerId = 79, StopAtEnd = true, HeartbeatInterval = TimeSpan.Zero });
        var events = new List<BinlogEvent>();
        await foreach (var e in client.ReadEventsAsync(new BinlogPosition("binlog.000003", 4, $"{SourceUuid}:1-41")))
        {
            events.Add(e);
        }

        await server.Completion;
        Assert.DoesNotContain(events, e => e is TransactionPayloadEvent);
        var inner = events.SkipWhile(e => e is not GtidEvent).Skip(1).ToList();
        Assert.Collection(
            inner,
            e => Assert.True(Assert.IsType<QueryEvent>(e).IsBegin),
            e => Assert.IsType<TableMapEvent>(e),
            e => Assert.Single(Assert.IsType<WriteRowsEvent>(e).Rows),
            e => Assert.IsType<XidEvent>(e));
        Assert.All(inner, e => Assert.Equal("binlog.000003:2100", e.Position.ToString()[.."binlog.000003:2100".Length]));
        Assert.Equal([false, false, false, true], inner.Select(e => e.IsTransactionEnd));
        Assert.Equal($"binlog.000003:2100 gtid={SourceUuid}:1-42", inner[^1].Position.ToString());
    }

    /// <summary>A scripted source: answers the setup queries, registration and the dump command with the given events.</summary>
    private static (FakeServer Server, List<byte[]> Commands, List<string> Queries) StartReplicationServer(string version, CommandKind dumpCommand, IEnumerable<byte[]> events)
    {
        var commands = new List<byte[]>();
        var queries = new List<string>();
        var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync("mysql_native_password", version: version);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.Ok());
            while (true)
            {
                byte[] command;
                try
                {
                    command = await s.ReceiveCommandAsync();
                }
                catch (MySqlIOException)
                {
                    return;
                }

                commands.Add(command);
                switch ((CommandKind)command[0])
                {
                    case CommandKind.Query:
                        var sql = Encoding.UTF8.GetString(command.AsSpan(1));
                        queries.Add(sql);
                        if (sql.StartsWith("SELECT", StringComparison.Ordinal))
                        {
                            await s.SendAsync(Packets.ColumnCount(1));
                            await s.SendAsync(Packets.Column("@@global.binlog_checksum", MySqlColumnType.VarString));
                            await s.SendAsync(Packets.Row("CRC32"));
                            await s.SendAsync(Packets.Ok(header: 0xFE));
                        }
                        else
                        {
                            await s.SendAsync(Packets.Ok());
                        }

                        break;
                    case CommandKind.RegisterSlave:
                        await s.SendAsync(Packets.Ok());
                        break;
                    case var kind when kind == dumpCommand:
                        foreach (var e in events)
                        {
                            await s.SendAsync([0x00, .. e]);
                        }

                        await s.SendAsync(Hex.Bytes("fe 00 00 02 00"));
                        break;
                    case CommandKind.Quit:
                        return;
                    default:
                        throw new InvalidOperationException($"unexpected command {command[0]}");
                }
            }
        });
        return (server, commands, queries);
    }

    private static IEnumerable<byte[]> MariaDbTransaction()
    {
        yield return BinlogBytes.Rotate("mariadb-bin.000008", 4);
        yield return BinlogBytes.FormatDescription("10.11.6-MariaDB");
        yield return BinlogBytes.Event(BinlogEventType.MariaDbGtid, Hex.Bytes("2a 00 00 00 00 00 00 00 00 00 00 00 00"), 300, serverId: 9);
        yield return RowsEventTests.TableMapEvent();
        yield return RowsEventTests.RowsEvent(BinlogEventType.WriteRowsV1, "ff ff", null, "00 00 " + RowsEventTests.FullRowValues);
        yield return BinlogBytes.Xid(1, 1500);
    }

    /// <summary>The transaction of <see cref="MySqlTransaction"/> as binlog_transaction_compression writes it: GTID, then one zstd payload.</summary>
    private static IEnumerable<byte[]> MySqlCompressedTransaction()
    {
        var plain = MySqlTransaction().ToList();
        var inner = plain.Skip(3).SelectMany(InnerEvent).ToArray();
        using var compressor = new ZstdSharp.Compressor(3);
        var compressed = compressor.Wrap(inner).ToArray();
        var body = new PacketWriter();
        foreach (var (type, value) in new[] { (2UL, 0UL), (3UL, (ulong)inner.Length), (1UL, (ulong)compressed.Length) })
        {
            var v = new PacketWriter();
            v.WriteLengthEncodedInteger(value);
            body.WriteLengthEncodedInteger(type);
            body.WriteLengthEncodedInteger((ulong)v.WrittenSpan.Length);
            body.WriteBytes(v.WrittenSpan);
        }

        body.WriteLengthEncodedInteger(0);
        body.WriteBytes(compressed);
        return [.. plain.Take(3), BinlogBytes.Event(BinlogEventType.TransactionPayload, body.ToArray(), 2100)];
    }

    /// <summary>An event as it sits inside a payload: no checksum, no position of its own.</summary>
    private static byte[] InnerEvent(byte[] withChecksum)
    {
        var inner = withChecksum[..^4];
        BinaryPrimitives.WriteUInt32LittleEndian(inner.AsSpan(9), (uint)inner.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(inner.AsSpan(13), 0);
        return inner;
    }

    private static IEnumerable<byte[]> MySqlTransaction()
    {
        var gtid = new PacketWriter();
        gtid.WriteByte(1);
        gtid.WriteBytes(Guid.Parse(SourceUuid).ToByteArray(bigEndian: true));
        gtid.WriteUInt64(42);
        gtid.WriteByte(2);
        gtid.WriteUInt64(41);
        gtid.WriteUInt64(42);
        yield return BinlogBytes.Rotate("binlog.000003", 4);
        yield return BinlogBytes.FormatDescription();
        yield return BinlogBytes.Event(BinlogEventType.Gtid, gtid.ToArray(), 300);
        yield return BinlogBytes.Query("BEGIN", nextPosition: 400);
        yield return RowsEventTests.TableMapEvent();
        yield return RowsEventTests.RowsEvent(BinlogEventType.WriteRowsV2, "ff ff", null, "00 00 " + RowsEventTests.FullRowValues);
        yield return BinlogBytes.Xid(1, 1500);
    }
}
