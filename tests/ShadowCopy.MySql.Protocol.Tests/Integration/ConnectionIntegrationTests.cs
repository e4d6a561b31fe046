using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Protocol.Tests.Integration;

/// <summary>The replication connection against the real server: handshake, authentication, the setup statements of a dump.</summary>
public sealed class ConnectionIntegrationTests
{
    [Fact]
    public async Task OpenAsync_tcp_reads_a_scalar_and_runs_a_statement()
    {
        await using var connection = await MySqlClientConnection.OpenAsync(TestServer.Settings);
        Assert.True(connection.IsMariaDb);
        Assert.Equal("CRC32", await connection.ScalarStringAsync("SELECT @@global.binlog_checksum"));
        Assert.Null(await connection.ScalarStringAsync("SELECT NULL"));
        await connection.ExecuteAsync("SET @master_binlog_checksum = @@global.binlog_checksum");
        Assert.Equal("x", await connection.ScalarStringAsync("SELECT 'x' UNION ALL SELECT 'y'"));
    }

    [Fact]
    public async Task OpenAsync_unix_socket_reads_a_scalar()
    {
        var settings = TestServer.Settings with { UnixSocket = TestServer.UnixSocket ?? throw new InvalidOperationException("SHADOWCOPY_MY_SOCKET missing: run scripts/servers start.") };
        await using var connection = await MySqlClientConnection.OpenAsync(settings);
        Assert.Equal("ok", await connection.ScalarStringAsync("SELECT 'ok'"));
    }

    [Fact]
    public async Task ExecuteAsync_server_error_carries_code_and_state()
    {
        await using var connection = await MySqlClientConnection.OpenAsync(TestServer.Settings);
        var error = await Assert.ThrowsAsync<MySqlServerException>(() => connection.ExecuteAsync("SELEC 1"));
        Assert.Equal(1064, error.ErrorCode);
        Assert.Equal("42000", error.SqlState);
    }
}
