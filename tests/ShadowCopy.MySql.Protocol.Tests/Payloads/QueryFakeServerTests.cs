using System.Diagnostics;
using ShadowCopy.MySql.Protocol.Payloads;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Payloads;

public sealed class QueryFakeServerTests
{
    [Fact]
    public async Task QueryMultipleAsync_without_deprecate_eof_reads_eof_framed_result_then_ok()
    {
        await using var server = FakeServer.Start(async s =>
        {
            await s.AcceptAsync(without: CapabilityFlags.DeprecateEof);
            var query = await s.ReceiveCommandAsync();
            Assert.Equal((byte)CommandKind.Query, query[0]);
            await s.SendAsync(Packets.ColumnCount(2));
            await s.SendAsync(Packets.Column("id", MySqlColumnType.LongLong, 63, MySqlColumnFlags.Unsigned));
            await s.SendAsync(Packets.Column("name", MySqlColumnType.VarString));
            await s.SendAsync(Hex.Bytes("fe 00 00 0a 00"));
            await s.SendAsync(Packets.Row("18446744073709551615", "a"));
            await s.SendAsync(Packets.Row("1", null));
            await s.SendAsync(Hex.Bytes("fe 01 00 0a 00")); // 1 warning, AUTOCOMMIT | MORE_RESULTS_EXISTS
            await s.SendAsync(Packets.Ok(affected: 2, insertId: 9, status: 2, warnings: 3));
            Assert.Equal((byte)CommandKind.Quit, (await s.ReceiveCommandAsync())[0]);
        });

        await using (var connection = await MySqlClientConnection.OpenAsync(server.Settings()))
        {
            var results = await connection.QueryMultipleAsync("SELECT ...; UPDATE ...");
            Assert.Equal(2, results.Count);
            Assert.Equal(ulong.MaxValue, results[0].Rows[0][0]);
            Assert.Null(results[0].Rows[1][1]);
            Assert.Equal(1, results[0].Warnings);
            Assert.Equal(2UL, results[1].AffectedRows);
            Assert.Equal(9UL, results[1].LastInsertId);
            Assert.Equal(MySqlServerStatus.AutoCommit, connection.Status);
        }

        await server.Completion;
    }

    [Fact]
    public async Task QueryAsync_error_after_rows_throws_server_exception()
    {
        await using var server = FakeServer.Start(async s =>
        {
            await s.AcceptAsync();
            await s.ReceiveCommandAsync();
            await s.SendAsync(Packets.ColumnCount(1));
            await s.SendAsync(Packets.Column("a", MySqlColumnType.Long));
            await s.SendAsync(Packets.Row("1"));
            await s.SendAsync(Packets.Error(1317, "70100", "Query execution was interrupted"));
            await s.ReceiveCommandAsync();
        });

        await using var connection = await MySqlClientConnection.OpenAsync(server.Settings());
        var error = await Assert.ThrowsAsync<MySqlServerException>(() => connection.QueryAsync("SELECT a FROM t"));
        Assert.Equal(1317, error.ErrorCode);
        Assert.Equal("70100", error.SqlState);
    }

    [Fact]
    public async Task QueryAsync_server_closes_mid_result_throws_io_and_marks_connection_broken()
    {
        await using var server = FakeServer.Start(async s =>
        {
            await s.AcceptAsync();
            await s.ReceiveCommandAsync();
            await s.SendAsync(Packets.ColumnCount(1));
        });

        await using var connection = await MySqlClientConnection.OpenAsync(server.Settings());
        await Assert.ThrowsAsync<MySqlIOException>(() => connection.QueryAsync("SELECT 1"));
        var broken = await Assert.ThrowsAsync<MySqlIOException>(() => connection.PingAsync());
        Assert.Contains("broken", broken.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_silent_server_times_out_even_when_kill_query_cannot_connect()
    {
        var release = new TaskCompletionSource();
        await using var server = FakeServer.Start(async s =>
        {
            await s.AcceptAsync();
            await s.ReceiveCommandAsync();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
        });

        var settings = server.Settings() with { CommandTimeout = TimeSpan.FromMilliseconds(200), CancellationGracePeriod = TimeSpan.FromMilliseconds(300) };
        await using var connection = await MySqlClientConnection.OpenAsync(settings);
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<MySqlTimeoutException>(() => connection.QueryAsync("SELECT SLEEP(100)"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
        await Assert.ThrowsAsync<MySqlIOException>(() => connection.PingAsync());
        release.SetResult();
    }

    [Fact]
    public async Task OpenAsync_server_that_never_greets_times_out()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            var settings = new MySqlSettings { Host = "127.0.0.1", Port = port, User = "u", ConnectTimeout = TimeSpan.FromMilliseconds(300), SslMode = MySqlSslMode.Disabled };
            await Assert.ThrowsAsync<MySqlTimeoutException>(() => MySqlClientConnection.OpenAsync(settings));
        }
        finally
        {
            listener.Stop();
        }
    }
}
