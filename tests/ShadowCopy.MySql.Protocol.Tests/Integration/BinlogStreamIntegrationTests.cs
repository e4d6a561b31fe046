using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql.Protocol.Tests.Integration;

[Collection(BinlogCollection.Name)]
public sealed class BinlogStreamIntegrationTests
{
    [Fact]
    public async Task ReadEventsAsync_mariadb_gtid_resume_starts_after_acknowledged_transaction()
    {
        await using var connection = await TestServer.OpenAsync();
        await using var testTable = await TestTable.CreateAsync(connection, "bl_gtid", "id INT PRIMARY KEY, v VARCHAR(10)");
        var (table, quoted) = (testTable.Name, testTable.Quoted);
        var start = await connection.CurrentPositionAsync();
        Assert.NotNull(start.GtidSet);
        await connection.ExecuteAsync($"INSERT INTO {quoted} VALUES (1, 'one')");
        await connection.ExecuteAsync($"INSERT INTO {quoted} VALUES (2, 'two')");

        var firstPass = await CollectAsync(new BinlogOptions { StopAtEnd = true, ServerId = TestServer.NewReplicaServerId() }, start, table);
        Assert.Equal(new[] { 1, 2 }, firstPass.Ids);
        Assert.Contains(firstPass.Events, e => e is MariaDbGtidEvent);
        Assert.Contains(firstPass.Events, e => e is AnnotateRowsEvent a && a.Sql.Contains("'two'", StringComparison.Ordinal));
        Assert.Contains(firstPass.Events, e => e is XidEvent { IsTransactionEnd: true });
        Assert.Contains(firstPass.Events, e => e is FormatDescriptionEvent { ChecksumAlgorithm: BinlogChecksumAlgorithm.Crc32 });
        var afterFirst = firstPass.TransactionEnds[0];
        Assert.NotNull(afterFirst.GtidSet);

        var byGtid = await CollectAsync(new BinlogOptions { StopAtEnd = true, UseGtid = true, ServerId = TestServer.NewReplicaServerId() }, afterFirst, table);
        Assert.Equal(new[] { 2 }, byGtid.Ids);
        var byFile = await CollectAsync(new BinlogOptions { StopAtEnd = true, ServerId = TestServer.NewReplicaServerId() }, afterFirst with { GtidSet = null }, table);
        Assert.Equal(new[] { 2 }, byFile.Ids);
    }

    [Fact]
    public async Task ReadEventsAsync_idle_stream_sends_heartbeats_and_cancels_cleanly()
    {
        await using var connection = await TestServer.OpenAsync();
        var start = await connection.CurrentPositionAsync();
        var client = new BinlogClient(TestServer.Settings, new BinlogOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(200), ServerId = TestServer.NewReplicaServerId() });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        HeartbeatEvent? heartbeat = null;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in client.ReadEventsAsync(start, cts.Token))
            {
                if (e is HeartbeatEvent h)
                {
                    heartbeat = h;
                    await cts.CancelAsync();
                }
            }
        });
        Assert.NotNull(heartbeat);
        Assert.StartsWith(start.FileName[..start.FileName.LastIndexOf('.')], heartbeat!.FileName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadEventsAsync_killed_dump_connection_reconnects_from_acknowledged_position()
    {
        var serverId = TestServer.NewReplicaServerId();
        await using var connection = await TestServer.OpenAsync();
        await using var testTable = await TestTable.CreateAsync(connection, "bl_reconnect", "id INT PRIMARY KEY");
        var (table, quoted) = (testTable.Name, testTable.Quoted);
        var start = await connection.CurrentPositionAsync();
        var client = new BinlogClient(TestServer.Settings, new BinlogOptions { ServerId = serverId, ReconnectDelay = TimeSpan.FromMilliseconds(100), HeartbeatInterval = TimeSpan.FromSeconds(1) });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ids = new List<int>();
        await connection.ExecuteAsync($"INSERT INTO {quoted} VALUES (1)");
        var killed = false;
        await foreach (var e in client.ReadEventsAsync(start, cts.Token))
        {
            if (e is WriteRowsEvent rows && rows.Table.TableName == table)
            {
                ids.AddRange(rows.Rows.Select(r => (int)r.After!.GetInt64(0)));
            }

            if (e.IsTransactionEnd && ids.Count > 0)
            {
                client.Acknowledge(e.Position);
                if (!killed)
                {
                    killed = true;
                    await KillDumpThreadAsync(connection);
                    await connection.ExecuteAsync($"INSERT INTO {quoted} VALUES (2)");
                }
                else if (ids.Contains(2))
                {
                    break;
                }
            }
        }

        Assert.Equal(new[] { 1, 2 }, ids);
    }

    private static async Task KillDumpThreadAsync(TestSql connection)
    {
        var dumps = await connection.QueryAsync("SELECT id FROM information_schema.processlist WHERE command LIKE 'Binlog Dump%'");
        Assert.NotEmpty(dumps);
        foreach (var row in dumps)
        {
            await connection.ExecuteAsync($"KILL CONNECTION {Convert.ToInt64(row[0], System.Globalization.CultureInfo.InvariantCulture)}");
        }
    }

    private static async Task<(List<int> Ids, List<BinlogEvent> Events, List<BinlogPosition> TransactionEnds)> CollectAsync(BinlogOptions options, BinlogPosition start, string table)
    {
        var client = new BinlogClient(TestServer.Settings, options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ids = new List<int>();
        var events = new List<BinlogEvent>();
        var ends = new List<BinlogPosition>();
        var sawRows = false;
        await foreach (var e in client.ReadEventsAsync(start, timeout.Token))
        {
            events.Add(e);
            if (e is WriteRowsEvent rows && rows.Table.TableName == table)
            {
                sawRows = true;
                ids.AddRange(rows.Rows.Select(r => (int)r.After!.GetInt64(0)));
            }

            if (e.IsTransactionEnd && sawRows)
            {
                ends.Add(e.Position);
                sawRows = false;
            }
        }

        return (ids, events, ends);
    }
}
