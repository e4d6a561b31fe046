using Npgsql;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.IntegrationTests.MySql;
using ShadowCopy.Postgres;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// libpq's TLS DSN words (sslrootcert, sslcert, sslkey) against the local PostgreSQL, which scripts/servers
/// starts with a throwaway CA; pg_hba lets the role shadowcopy_cert in only by client certificate (auth method cert).
/// </summary>
[Collection("postgres")]
public sealed class PgTlsTests
{
    private static string Dsn(string query) =>
        $"postgres://{TestServers.Get("SHADOWCOPY_TLS_CERT_USER")}@{TestServers.Get("SHADOWCOPY_PG_HOST")}:{TestServers.Get("SHADOWCOPY_PG_PORT")}/{TestServers.Get("SHADOWCOPY_PG_DATABASE")}?{query}";

    private static string Files(string ca) =>
        $"sslrootcert={Uri.EscapeDataString(ca)}&sslcert={Uri.EscapeDataString(TestServers.Get("SHADOWCOPY_TLS_CLIENT_CERT"))}&sslkey={Uri.EscapeDataString(TestServers.Get("SHADOWCOPY_TLS_CLIENT_KEY"))}";

    private static NpgsqlConnectionStringBuilder Parse(string dsn) => PgDsn.Parse(dsn, name => name == "PGPASSFILE" ? "/nonexistent" : null);

    [Fact]
    public async Task Connection_with_dsn_tls_files_verifies_the_server_and_logs_in_by_client_certificate()
    {
        await using var connection = new NpgsqlConnection(Parse(Dsn("sslmode=verify-full&" + Files(TestServers.Get("SHADOWCOPY_TLS_CA")))).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT s.ssl, current_user FROM pg_stat_ssl s WHERE s.pid = pg_backend_pid()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.GetBoolean(0));
        Assert.Equal(TestServers.Get("SHADOWCOPY_TLS_CERT_USER"), reader.GetString(1));
    }

    [Fact]
    public async Task Connection_without_the_client_certificate_is_refused_by_the_server()
    {
        await using var connection = new NpgsqlConnection(Parse(Dsn($"sslmode=verify-full&sslrootcert={Uri.EscapeDataString(TestServers.Get("SHADOWCOPY_TLS_CA"))}")).ConnectionString);
        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());
        Assert.Contains("28000", (error as PostgresException)?.SqlState ?? error.InnerException?.Message ?? error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_verify_ca_against_another_ca_fails()
    {
        var otherCa = MyTlsTests.OtherCaFile();
        try
        {
            await using var connection = new NpgsqlConnection(Parse(Dsn("sslmode=verify-ca&" + Files(otherCa))).ConnectionString);
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());
        }
        finally
        {
            File.Delete(otherCa);
        }
    }
}
