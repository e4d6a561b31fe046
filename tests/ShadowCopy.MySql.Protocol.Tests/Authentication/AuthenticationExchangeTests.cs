using System.Security.Cryptography;
using System.Text;
using ShadowCopy.MySql.Protocol.Authentication;
using ShadowCopy.MySql.Protocol.Serialization;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Authentication;

public sealed class AuthenticationExchangeTests
{
    [Fact]
    public async Task OpenAsync_native_password_sends_documented_scramble()
    {
        byte[]? response = null;
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync("mysql_native_password");
            response = await s.ReceiveAsync();
            await s.SendAsync(Packets.Ok());
        });

        await using (var connection = await MySqlClientConnection.OpenAsync(server.Settings()))
        {
            Assert.Equal(42u, connection.ConnectionId);
            Assert.Equal("8.0.36", connection.ServerVersion);
        }

        await server.Completion;
        var parsed = HandshakeResponse.Parse(response!);
        Assert.Equal("app", parsed.User);
        Assert.Equal("mysql_native_password", parsed.Plugin);
        // SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))), computed independently here.
#pragma warning disable CA5350 // mysql_native_password is defined with SHA1
        var sha1 = SHA1.HashData(Encoding.UTF8.GetBytes("secret"));
        var mix = SHA1.HashData([.. FakeSession.Scramble, .. SHA1.HashData(sha1)]);
#pragma warning restore CA5350
        Assert.Equal(sha1.Zip(mix, (a, b) => (byte)(a ^ b)).ToArray(), parsed.AuthResponse);
    }

    [Fact]
    public async Task OpenAsync_caching_sha2_fast_auth_success_connects()
    {
        byte[]? response = null;
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(CachingSha2Password.PluginName);
            response = await s.ReceiveAsync();
            await s.SendAsync(Packets.MoreData(CachingSha2Password.FastAuthSuccess));
            await s.SendAsync(Packets.Ok());
        });

        await using (await MySqlClientConnection.OpenAsync(server.Settings()))
        {
        }

        await server.Completion;
        var parsed = HandshakeResponse.Parse(response!);
        Assert.Equal(CachingSha2Password.PluginName, parsed.Plugin);
        var stage1 = SHA256.HashData(Encoding.UTF8.GetBytes("secret"));
        var mix = SHA256.HashData([.. SHA256.HashData(stage1), .. FakeSession.Scramble]);
        Assert.Equal(stage1.Zip(mix, (a, b) => (byte)(a ^ b)).ToArray(), parsed.AuthResponse);
    }

    [Fact]
    public async Task OpenAsync_caching_sha2_full_auth_plain_tcp_retrieves_key_and_sends_rsa_encrypted_password()
    {
        using var rsa = RSA.Create(2048);
        byte[]? encrypted = null;
        byte[]? keyRequest = null;
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(CachingSha2Password.PluginName);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.MoreData(CachingSha2Password.PerformFullAuthentication));
            keyRequest = await s.ReceiveAsync();
            await s.SendAsync(Packets.MoreData(Encoding.ASCII.GetBytes(rsa.ExportSubjectPublicKeyInfoPem())));
            encrypted = await s.ReceiveAsync();
            await s.SendAsync(Packets.Ok());
        });

        await using (await MySqlClientConnection.OpenAsync(server.Settings() with { AllowPublicKeyRetrieval = true }))
        {
        }

        await server.Completion;
        Assert.Equal(new byte[] { 0x02 }, keyRequest);
        var clear = rsa.Decrypt(encrypted!, RSAEncryptionPadding.OaepSHA1);
        var password = clear.Select((b, i) => (byte)(b ^ FakeSession.Scramble[i % FakeSession.Scramble.Length])).ToArray();
        Assert.Equal("secret\0", Encoding.UTF8.GetString(password));
    }

    [Fact]
    public async Task OpenAsync_caching_sha2_full_auth_configured_key_skips_key_request()
    {
        using var rsa = RSA.Create(2048);
        byte[]? encrypted = null;
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(CachingSha2Password.PluginName);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.MoreData(CachingSha2Password.PerformFullAuthentication));
            encrypted = await s.ReceiveAsync();
            await s.SendAsync(Packets.Ok());
        });

        await using (await MySqlClientConnection.OpenAsync(server.Settings() with { ServerRsaPublicKey = rsa.ExportSubjectPublicKeyInfoPem() }))
        {
        }

        await server.Completion;
        Assert.Equal(256, encrypted!.Length);
        Assert.Equal(7, rsa.Decrypt(encrypted, RSAEncryptionPadding.OaepSHA1).Length);
    }

    [Fact]
    public async Task OpenAsync_caching_sha2_full_auth_without_tls_or_key_refuses_and_sends_nothing()
    {
        var afterRequest = new List<byte[]>();
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(CachingSha2Password.PluginName);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.MoreData(CachingSha2Password.PerformFullAuthentication));
            try
            {
                afterRequest.Add(await s.ReceiveAsync());
            }
            catch (MySqlIOException)
            {
                // the client hung up, as it should
            }
        });

        var error = await Assert.ThrowsAsync<MySqlProtocolException>(() => MySqlClientConnection.OpenAsync(server.Settings()));
        Assert.Contains("full authentication", error.Message, StringComparison.Ordinal);
        await server.Completion;
        Assert.Empty(afterRequest);
    }

    [Fact]
    public async Task OpenAsync_auth_switch_to_native_uses_new_scramble()
    {
        var newScramble = Enumerable.Range(100, 20).Select(i => (byte)i).ToArray();
        byte[]? switched = null;
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(CachingSha2Password.PluginName);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.AuthSwitch(NativePassword.PluginName, newScramble));
            switched = await s.ReceiveAsync();
            await s.SendAsync(Packets.Ok());
        });

        await using (await MySqlClientConnection.OpenAsync(server.Settings()))
        {
        }

        await server.Completion;
        Assert.Equal(NativePassword.Scramble("secret", newScramble), switched);
    }

    [Fact]
    public async Task OpenAsync_clear_password_switch_without_verified_tls_refuses()
    {
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(NativePassword.PluginName);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.AuthSwitch(AuthenticationExchange.ClearPasswordPlugin, []));
        });

        var error = await Assert.ThrowsAsync<MySqlProtocolException>(() => MySqlClientConnection.OpenAsync(server.Settings()));
        Assert.Contains("clear-text", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_access_denied_throws_server_exception_with_code_and_state()
    {
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(NativePassword.PluginName);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.Error(1045, "28000", "Access denied for user 'app'"));
        });

        var error = await Assert.ThrowsAsync<MySqlServerException>(() => MySqlClientConnection.OpenAsync(server.Settings()));
        Assert.Equal(1045, error.ErrorCode);
        Assert.Equal("28000", error.SqlState);
        Assert.Contains("Access denied", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scramble_empty_password_is_empty()
    {
        Assert.Empty(NativePassword.Scramble(string.Empty, FakeSession.Scramble));
        Assert.Empty(CachingSha2Password.Scramble(string.Empty, FakeSession.Scramble));
    }

    /// <summary>HandshakeResponse41 as the fake server sees it.</summary>
    internal sealed record HandshakeResponse(uint Capabilities, string User, byte[] AuthResponse, string? Database, string Plugin)
    {
        public static HandshakeResponse Parse(byte[] payload)
        {
            var reader = new PacketReader(payload);
            var caps = reader.ReadUInt32();
            reader.Skip(4 + 1 + 23);
            var user = reader.ReadNullTerminatedString();
            var auth = reader.ReadLengthEncodedBytes().ToArray();
            string? database = (caps & 8) != 0 ? reader.ReadNullTerminatedString() : null;
            var plugin = reader.ReadNullTerminatedString();
            return new HandshakeResponse(caps, user, auth, database, plugin);
        }
    }
}
