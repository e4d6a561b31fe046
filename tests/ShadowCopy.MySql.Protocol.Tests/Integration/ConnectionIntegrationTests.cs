using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Protocol.Tests.Integration;

public sealed class ConnectionIntegrationTests
{
    [Fact]
    public async Task OpenAsync_tcp_runs_query()
    {
        await using var connection = await TestServer.OpenAsync();
        Assert.True(connection.IsMariaDb);
        var result = await connection.QueryAsync("SELECT 1 AS one, 'x' AS s, NULL AS n, CAST(18446744073709551615 AS UNSIGNED) AS big");
        Assert.Equal(1L, Convert.ToInt64(result.Rows[0][0]));
        Assert.Equal("x", result.Rows[0][1]);
        Assert.Null(result.Rows[0][2]);
        Assert.Equal(ulong.MaxValue, result.Rows[0][3]);
    }

    [Fact]
    public async Task OpenAsync_unix_socket_runs_query()
    {
        var settings = TestServer.Settings with { UnixSocket = TestServer.UnixSocket ?? throw new InvalidOperationException("SHADOWCOPY_MY_SOCKET missing: run scripts/servers start.") };
        await using var connection = await TestServer.OpenAsync(settings);
        Assert.Equal("ok", await connection.ScalarAsync("SELECT 'ok'"));
    }
}
