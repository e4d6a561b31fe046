using System.Globalization;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>The local MariaDB of scripts/servers; a missing server fails the test with what to do.</summary>
internal static class MyServer
{
    public static string Database => TestServers.Get("SHADOWCOPY_MY_DATABASE");

    public static MySqlSettings Settings(string? user = null, string? password = null) => new()
    {
        Host = TestServers.Get("SHADOWCOPY_MY_HOST"),
        Port = int.Parse(TestServers.Get("SHADOWCOPY_MY_PORT"), CultureInfo.InvariantCulture),
        User = user ?? TestServers.Get("SHADOWCOPY_MY_USER"),
        Password = password ?? TestServers.Get("SHADOWCOPY_MY_PASSWORD"),
        Database = Database,
        SslMode = MySqlSslMode.Preferred,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        CommandTimeout = TimeSpan.FromMinutes(5),
    };

    public static string Dsn => $"mysql://{TestServers.Get("SHADOWCOPY_MY_USER")}@{TestServers.Get("SHADOWCOPY_MY_HOST")}:{TestServers.Get("SHADOWCOPY_MY_PORT")}/{Database}";

    public static async Task<MyConnection> OpenAsync(MySqlSettings? settings = null)
    {
        settings ??= Settings();
        try
        {
            return await MyConnection.OpenAsync(settings);
        }
        catch (Exception ex) when (ex is MySqlIOException or MySqlTimeoutException)
        {
            throw new InvalidOperationException($"MariaDB is not reachable at {settings}: run scripts/servers start. ({ex.Message})", ex);
        }
    }

    public static async Task ExecAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync(sql);
    }

    public static async Task<string?> ScalarAsync(string sql)
    {
        await using var connection = await OpenAsync();
        var result = await connection.QueryAsync(sql);
        return result.Rows.Count == 0 || result.Rows[0].IsNull(0) ? null : result.Rows[0].GetString(0);
    }

    public static async Task<List<string>> ColumnAsync(string sql)
    {
        await using var connection = await OpenAsync();
        var result = await connection.QueryAsync(sql);
        return result.Rows.Select(r => r.IsNull(0) ? "NULL" : r.GetString(0)).ToList();
    }

    public static string Q(string name) => MySqlEscaping.QuoteIdentifier(name);

    public static string Lit(string value) => MySqlEscaping.QuoteString(value, false);

    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>Tables, triggers and anything else in the database whose name mentions <paramref name="table"/>.</summary>
    public static async Task<List<string>> ObjectsAsync(string table)
    {
        var like = Lit("%" + table + "%");
        var tables = await ColumnAsync($"SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME LIKE {like} ORDER BY BINARY TABLE_NAME");
        var triggers = await ColumnAsync($"SELECT CONCAT('trigger ', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {Lit(Database)} AND (TRIGGER_NAME LIKE {like} OR EVENT_OBJECT_TABLE LIKE {like}) ORDER BY BINARY TRIGGER_NAME");
        return [.. tables, .. triggers];
    }

    /// <summary>SHOW CREATE TABLE of each table, for "the server was left unchanged" assertions.</summary>
    public static async Task<string> SnapshotAsync(string table)
    {
        var parts = new List<string>();
        foreach (var name in await ObjectsAsync(table))
        {
            if (name.StartsWith("trigger ", StringComparison.Ordinal))
            {
                parts.Add(name);
                continue;
            }

            await using var connection = await OpenAsync();
            var create = await connection.QueryAsync($"SHOW CREATE TABLE {Q(Database)}.{Q(name)}");
            parts.Add(create.Rows[0].GetString(1));
            var sum = await connection.QueryAsync($"CHECKSUM TABLE {Q(Database)}.{Q(name)}");
            parts.Add(sum.Rows[0].IsNull(1) ? "-" : sum.Rows[0].GetString(1));
        }

        return string.Join("\n", parts);
    }

    public static async Task DropAsync(string table)
    {
        foreach (var name in await ObjectsAsync(table))
        {
            if (!name.StartsWith("trigger ", StringComparison.Ordinal))
            {
                await ExecAsync($"DROP TABLE IF EXISTS {Q(Database)}.{Q(name)}");
            }
        }
    }
}
