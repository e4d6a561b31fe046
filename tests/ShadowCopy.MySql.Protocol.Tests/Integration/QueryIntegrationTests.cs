using System.Diagnostics;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Protocol.Tests.Integration;

public sealed class QueryIntegrationTests
{
    [Fact]
    public async Task QueryMultipleAsync_multi_statements_returns_every_result()
    {
        var table = TestServer.UniqueName("q_multi");
        var quoted = MySqlEscaping.QuoteIdentifier(table);
        await using var connection = await TestServer.OpenAsync();
        try
        {
            var results = await connection.QueryMultipleAsync(
                $"CREATE TABLE {quoted} (id INT AUTO_INCREMENT PRIMARY KEY, v INT); INSERT INTO {quoted} (v) VALUES (1),(2),(3); SELECT v FROM {quoted} ORDER BY v; SELECT 'a' AS x UNION ALL SELECT 'b'");
            Assert.Equal(4, results.Count);
            Assert.Equal(3UL, results[1].AffectedRows);
            Assert.Equal(1UL, results[1].LastInsertId);
            Assert.Equal(new object?[] { 1, 2, 3 }, results[2].Rows.Select(r => r[0]).ToArray());
            Assert.Equal("x", results[3].Columns[0].Name);
            Assert.Equal(2, results[3].Rows.Count);
            var update = await connection.ExecuteAsync($"UPDATE {quoted} SET v = v + 1 WHERE v >= 2");
            Assert.Equal(2UL, update.AffectedRows);
            var warning = await connection.ExecuteAsync($"INSERT IGNORE INTO {quoted} (id, v) VALUES (1, 9)");
            Assert.Equal(1, warning.Warnings);
        }
        finally
        {
            await connection.ExecuteAsync($"DROP TABLE IF EXISTS {quoted}");
        }
    }

    [Fact]
    public async Task QueryAsync_server_error_throws_typed_exception_and_connection_stays_usable()
    {
        await using var connection = await TestServer.OpenAsync();
        var error = await Assert.ThrowsAsync<MySqlServerException>(() => connection.QueryAsync("SELECT * FROM no_such_table_xyz"));
        Assert.Equal(1146, error.ErrorCode);
        Assert.Equal("42S02", error.SqlState);
        Assert.Equal("ok", await connection.ScalarAsync("SELECT 'ok'"));
    }

    [Fact]
    public async Task QueryAsync_hostile_literals_round_trip_in_both_escaping_modes()
    {
        string[] hostile = ["it's", "back\\slash", "nul\0byte", "\"dq\"", "\r\n\u001a", "emoji 😀", "'; DROP TABLE x; --", "\\'", "é€ÿ"];
        await using var connection = await TestServer.OpenAsync();
        foreach (var mode in new[] { "NO_ENGINE_SUBSTITUTION", "NO_BACKSLASH_ESCAPES" })
        {
            await connection.ExecuteAsync($"SET SESSION sql_mode = '{mode}'");
            Assert.Equal(mode == "NO_BACKSLASH_ESCAPES", connection.NoBackslashEscapes);
            foreach (var value in hostile)
            {
                var literal = MySqlEscaping.QuoteString(value, connection.NoBackslashEscapes);
                Assert.Equal(value, await connection.ScalarAsync($"SELECT {literal}"));
            }

            var invalidUtf8 = new byte[] { 0xC3, 0xFF, 0x00, 0x27, 0x5C };
            Assert.Equal(invalidUtf8, await connection.ScalarAsync($"SELECT {MySqlEscaping.QuoteBytes(invalidUtf8)}"));
        }
    }

    [Fact]
    public async Task QuoteIdentifier_hostile_table_names_create_and_drop()
    {
        string[] names = ["we`ird", "sel ect", "naïve€", "'quote\"", "back\\slash", new string('x', 60) + "`" + "yz"];
        await using var connection = await TestServer.OpenAsync();
        foreach (var name in names)
        {
            var quoted = MySqlEscaping.QuoteIdentifier(name);
            try
            {
                await connection.ExecuteAsync($"CREATE TABLE {quoted} ({MySqlEscaping.QuoteIdentifier("c`1")} INT)");
                var found = await connection.QueryAsync($"SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = {MySqlEscaping.QuoteString(name, connection.NoBackslashEscapes)}");
                Assert.Single(found.Rows);
                Assert.Equal(name, found.Rows[0].GetString(0));
            }
            finally
            {
                await connection.ExecuteAsync($"DROP TABLE IF EXISTS {quoted}");
            }
        }
    }

    [Fact]
    public async Task QueryAsync_cancellation_kills_query_and_connection_stays_usable()
    {
        await using var connection = await TestServer.OpenAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.QueryAsync("SELECT SLEEP(20)", cts.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"cancellation took {watch.Elapsed}");
        Assert.Equal("ok", await connection.ScalarAsync("SELECT 'ok'"));
    }

    [Fact]
    public async Task QueryAsync_command_timeout_throws_timeout_exception()
    {
        await using var connection = await TestServer.OpenAsync(TestServer.Settings with { CommandTimeout = TimeSpan.FromMilliseconds(300) });
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<MySqlTimeoutException>(() => connection.QueryAsync("SELECT SLEEP(20)"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10));
        Assert.Equal("ok", await connection.ScalarAsync("SELECT 'ok'"));
    }

    [Fact]
    public async Task OpenAsync_wrong_password_throws_access_denied()
    {
        var error = await Assert.ThrowsAsync<MySqlServerException>(() => MySqlClientConnection.OpenAsync(TestServer.Settings with { Password = "wrong" }));
        Assert.Equal(1045, error.ErrorCode);
        Assert.Equal("28000", error.SqlState);
    }

    [Fact]
    public async Task OpenAsync_closed_port_throws_io_exception()
    {
        await Assert.ThrowsAsync<MySqlIOException>(() => MySqlClientConnection.OpenAsync(TestServer.Settings with { Port = 1 }));
    }

    [Fact]
    public async Task PingAsync_and_ChangeDatabaseAsync_succeed()
    {
        await using var connection = await TestServer.OpenAsync();
        await connection.PingAsync();
        await connection.ChangeDatabaseAsync("information_schema");
        Assert.Equal("information_schema", await connection.ScalarAsync("SELECT DATABASE()"));
        await Assert.ThrowsAsync<MySqlServerException>(() => connection.ChangeDatabaseAsync("no_such_db_xyz"));
    }

    [Fact]
    public async Task QueryAsync_payload_over_16mb_is_split_and_reassembled_both_ways()
    {
        await using var admin = await TestServer.OpenAsync();
        var previous = Convert.ToInt64(await admin.ScalarAsync("SELECT @@global.max_allowed_packet"), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            // The session value is read-only and copied from the global one at connect time.
            await admin.ExecuteAsync("SET GLOBAL max_allowed_packet = 67108864");
            await using var connection = await TestServer.OpenAsync();
            var big = new string('x', (16 * 1024 * 1024) + 5);
            var result = await connection.QueryAsync($"SELECT LENGTH('{big}'), REPEAT('y', 17 * 1024 * 1024)");
            Assert.Equal((long)big.Length, result.Rows[0].GetInt64(0));
            Assert.Equal(17 * 1024 * 1024, result.Rows[0].GetString(1).Length);
        }
        finally
        {
            await admin.ExecuteAsync(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SET GLOBAL max_allowed_packet = {previous}"));
        }
    }
}
