using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ShadowCopy.Core.Sql;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// TLS files named in the DSN (sslrootcert, sslcert, sslkey) against the local MariaDB, which scripts/servers
/// starts with a throwaway CA; the user shadowcopy_cert logs in only with the client certificate (REQUIRE SUBJECT).
/// </summary>
[Collection("mysql")]
public sealed class MyTlsTests
{
    private static string Ca => TestServers.Get("SHADOWCOPY_TLS_CA");

    private static string CertUser => TestServers.Get("SHADOWCOPY_TLS_CERT_USER");

    private static string Dsn(string user, string query) =>
        $"mysql://{user}@{TestServers.Get("SHADOWCOPY_MY_HOST")}:{TestServers.Get("SHADOWCOPY_MY_PORT")}/{MyServer.Database}?{query}";

    private static string ClientFiles => $"sslcert={Uri.EscapeDataString(TestServers.Get("SHADOWCOPY_TLS_CLIENT_CERT"))}&sslkey={Uri.EscapeDataString(TestServers.Get("SHADOWCOPY_TLS_CLIENT_KEY"))}";

    /// <summary>Parses a DSN with no password anywhere (the certificate user has none).</summary>
    private static MySqlSettings Parse(string dsn) => MySqlDsn.Parse(dsn, name => name == "MYSQL_OPTION_FILE" ? "/nonexistent" : null);

    [Fact]
    public async Task Session_with_dsn_tls_files_verifies_the_server_and_logs_in_by_client_certificate()
    {
        var settings = Parse(Dsn(CertUser, $"sslmode=verify-full&sslrootcert={Uri.EscapeDataString(Ca)}&{ClientFiles}"));
        await using var session = await MySqlSession.OpenAsync(settings, new SqlTranscript(), CancellationToken.None);
        Assert.StartsWith(CertUser + "@", await session.ScalarStringAsync("SELECT CURRENT_USER()", CancellationToken.None), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(await session.ScalarStringAsync("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME = 'SSL_CIPHER'", CancellationToken.None)));
    }

    [Fact]
    public async Task Session_without_the_client_certificate_is_refused_by_the_server()
    {
        var settings = Parse(Dsn(CertUser, $"sslmode=verify-ca&sslrootcert={Uri.EscapeDataString(Ca)}"));
        var error = await Assert.ThrowsAsync<MySqlServerException>(() => MySqlSession.OpenAsync(settings, new SqlTranscript(), CancellationToken.None));
        Assert.Equal(1045, error.ErrorCode);
    }

    [Fact]
    public async Task Session_verify_ca_against_another_ca_fails_before_logging_in()
    {
        var otherCa = OtherCaFile();
        try
        {
            var settings = Parse(Dsn(MyServer.Settings().User, $"sslmode=verify-ca&sslrootcert={Uri.EscapeDataString(otherCa)}")) with { Password = MyServer.Settings().Password };
            await Assert.ThrowsAsync<MySqlIOException>(() => MySqlSession.OpenAsync(settings, new SqlTranscript(), CancellationToken.None));
        }
        finally
        {
            File.Delete(otherCa);
        }
    }

    [Fact]
    public async Task Replication_connection_with_dsn_tls_files_verifies_the_server_and_presents_the_client_certificate()
    {
        var settings = Parse(Dsn(CertUser, $"sslmode=verify-full&sslrootcert={Uri.EscapeDataString(Ca)}&{ClientFiles}"));
        await using var connection = await MySqlClientConnection.OpenAsync(settings);
        Assert.True(connection.IsTlsActive);
        Assert.StartsWith(CertUser + "@", await connection.ScalarStringAsync("SELECT CURRENT_USER()"), StringComparison.Ordinal);
        Assert.Equal("CRC32", await connection.ScalarStringAsync("SELECT @@global.binlog_checksum"));
    }

    [Fact]
    public async Task Replication_connection_without_the_client_certificate_is_refused_by_the_server()
    {
        var settings = Parse(Dsn(CertUser, $"sslmode=verify-full&sslrootcert={Uri.EscapeDataString(Ca)}"));
        var error = await Assert.ThrowsAsync<MySqlServerException>(() => MySqlClientConnection.OpenAsync(settings));
        Assert.Equal(1045, error.ErrorCode);
    }

    /// <summary>A CA that signed nothing the server presents.</summary>
    internal static string OtherCaFile()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Some other CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(Path.GetTempPath(), $"shadowcopy-other-ca-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, ca.ExportCertificatePem());
        return path;
    }
}
