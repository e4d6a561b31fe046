using System.Text;
using ShadowCopy.MySql.Protocol.Authentication;
using ShadowCopy.MySql.Protocol.Payloads;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Authentication;

public sealed class TlsModeTests
{
    [Fact]
    public async Task OpenAsync_required_without_server_ssl_refuses_before_sending_credentials()
    {
        var received = new List<byte[]>();
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(NativePassword.PluginName, ssl: false);
            try
            {
                received.Add(await s.ReceiveAsync());
            }
            catch (MySqlIOException)
            {
            }
        });

        var error = await Assert.ThrowsAsync<MySqlProtocolException>(() => MySqlClientConnection.OpenAsync(server.Settings(sslMode: MySqlSslMode.Required)));
        Assert.Contains("does not support TLS", error.Message, StringComparison.Ordinal);
        await server.Completion;
        Assert.Empty(received);
    }

    [Fact]
    public async Task OpenAsync_preferred_without_server_ssl_falls_back_to_plain()
    {
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(NativePassword.PluginName, ssl: false);
            var response = await s.ReceiveAsync();
            Assert.Equal(0u, BitConverter.ToUInt32(response, 0) & (uint)CapabilityFlags.Ssl);
            await s.SendAsync(Packets.Ok());
        });

        await using var connection = await MySqlClientConnection.OpenAsync(server.Settings(sslMode: MySqlSslMode.Preferred));
        Assert.False(connection.IsTlsActive);
        await server.Completion;
    }

    [Fact]
    public async Task OpenAsync_required_with_ssl_upgrades_but_never_sends_clear_password()
    {
        var afterFullAuth = new List<byte[]>();
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(CachingSha2Password.PluginName, ssl: true);
            var sslRequest = await s.ReceiveAsync();
            Assert.Equal(32, sslRequest.Length);
            Assert.NotEqual(0u, BitConverter.ToUInt32(sslRequest, 0) & (uint)CapabilityFlags.Ssl);
            await s.UpgradeToTlsAsync(TestCertificates.Certificate);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.MoreData(CachingSha2Password.PerformFullAuthentication));
            try
            {
                afterFullAuth.Add(await s.ReceiveAsync());
            }
            catch (Exception ex) when (ex is MySqlIOException or IOException)
            {
            }
        });

        // Required encrypts but does not authenticate the server: a man in the middle could read a clear-text password.
        await Assert.ThrowsAsync<MySqlProtocolException>(() => MySqlClientConnection.OpenAsync(server.Settings(sslMode: MySqlSslMode.Required)));
        await server.Completion;
        Assert.Empty(afterFullAuth);
    }

    [Fact]
    public async Task OpenAsync_verify_ca_with_trusted_ca_sends_clear_password_over_tls()
    {
        byte[]? password = null;
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(CachingSha2Password.PluginName, ssl: true);
            await s.ReceiveAsync();
            await s.UpgradeToTlsAsync(TestCertificates.Certificate);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.MoreData(CachingSha2Password.PerformFullAuthentication));
            password = await s.ReceiveAsync();
            await s.SendAsync(Packets.Ok());
        });

        var settings = server.Settings(sslMode: MySqlSslMode.VerifyCA) with { SslCaPath = TestCertificates.PemPath };
        await using (var connection = await MySqlClientConnection.OpenAsync(settings))
        {
            Assert.True(connection.IsTlsActive);
        }

        await server.Completion;
        Assert.Equal("secret\0", Encoding.UTF8.GetString(password!));
    }

    [Fact]
    public async Task OpenAsync_verify_full_with_trusted_ca_and_matching_name_connects()
    {
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(NativePassword.PluginName, ssl: true);
            await s.ReceiveAsync();
            await s.UpgradeToTlsAsync(TestCertificates.Certificate);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.Ok());
        });

        var settings = server.Settings(sslMode: MySqlSslMode.VerifyFull) with { SslCaPath = TestCertificates.PemPath };
        await using var connection = await MySqlClientConnection.OpenAsync(settings);
        Assert.True(connection.IsTlsActive);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenAsync_unix_socket_sends_caching_sha2_clear_password_only_when_allowed(bool allowed)
    {
        var received = new List<byte[]>();
        await using var server = FakeServer.StartUnix(async s =>
        {
            await s.SendHandshakeAsync(CachingSha2Password.PluginName);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.MoreData(CachingSha2Password.PerformFullAuthentication));
            try
            {
                received.Add(await s.ReceiveAsync());
                await s.SendAsync(Packets.Ok());
            }
            catch (MySqlIOException)
            {
            }
        });

        var settings = server.Settings() with { AllowClearTextPasswordOverUnixSocket = allowed };
        if (allowed)
        {
            await using (await MySqlClientConnection.OpenAsync(settings))
            {
            }

            await server.Completion;
            Assert.Equal("secret\0", Encoding.UTF8.GetString(Assert.Single(received)));
        }
        else
        {
            var error = await Assert.ThrowsAsync<MySqlProtocolException>(() => MySqlClientConnection.OpenAsync(settings));
            Assert.Contains("AllowClearTextPasswordOverUnixSocket", error.Message, StringComparison.Ordinal);
            await server.Completion;
            Assert.Empty(received);
        }
    }

    [Fact]
    public async Task OpenAsync_verify_full_with_untrusted_certificate_fails()
    {
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(NativePassword.PluginName, ssl: true);
            await s.ReceiveAsync();
            try
            {
                await s.UpgradeToTlsAsync(TestCertificates.Certificate);
            }
            catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
            {
            }
        });

        var error = await Assert.ThrowsAsync<MySqlProtocolException>(() => MySqlClientConnection.OpenAsync(server.Settings(sslMode: MySqlSslMode.VerifyFull)));
        Assert.Contains("TLS handshake failed", error.Message, StringComparison.Ordinal);
    }
}
