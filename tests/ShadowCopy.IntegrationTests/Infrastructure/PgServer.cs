using Npgsql;
using ShadowCopy.Postgres;

namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>The local PostgreSQL: admin connections and DSNs for the tool.</summary>
internal static class PgServer
{
    public static string Password => TestServers.Get("SHADOWCOPY_PG_PASSWORD");

    public static string User => TestServers.Get("SHADOWCOPY_PG_USER");

    public static string Dsn(string? user = null) =>
        $"postgres://{Uri.EscapeDataString(user ?? User)}@{TestServers.Get("SHADOWCOPY_PG_HOST")}:{TestServers.Get("SHADOWCOPY_PG_PORT")}/{TestServers.Get("SHADOWCOPY_PG_DATABASE")}";

    public static NpgsqlConnectionStringBuilder Settings(string? user = null, string? password = null) =>
        PgDsn.Parse(Dsn(user), name => name == "SHADOWCOPY_PASSWORD" ? password ?? Password : null);

    public static async Task<NpgsqlConnection> OpenAsync(string? user = null, string? password = null)
    {
        var builder = Settings(user, password);
        builder.Pooling = true;
        builder.MaxPoolSize = 50;
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync();
        }
        catch (Exception error)
        {
            await connection.DisposeAsync();
            throw new InvalidOperationException($"Cannot reach the test PostgreSQL at {Dsn()}: {error.Message}. Run scripts/servers start.", error);
        }

        return connection;
    }

    public static async Task ExecAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return (T)value!;
    }

    /// <summary>Quotes an identifier for test SQL (tests must survive hostile names too).</summary>
    public static string Q(string identifier) => PgDialect.Instance.QuoteIdentifier(identifier);
}
