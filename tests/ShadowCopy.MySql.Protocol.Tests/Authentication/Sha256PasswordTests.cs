using System.Security.Cryptography;
using System.Text;
using ShadowCopy.MySql.Protocol.Authentication;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Authentication;

/// <summary>
/// sha256_password and the server key from a file, against a fake server. The exchange follows the MySQL
/// Server Doxygen page "SHA256 authentication": after the switch the client sends 0x01 to ask for the key,
/// the server answers auth-more-data with the PEM key, the client sends RSA-OAEP(password + NUL XOR scramble).
/// </summary>
public sealed class Sha256PasswordTests
{
    private static readonly byte[] SwitchScramble = Encoding.ASCII.GetBytes("abcdefghijklmnopqrst");

    [Fact]
    public async Task OpenAsync_sha256_password_switch_retrieves_key_and_sends_rsa_encrypted_password()
    {
        using var rsa = RSA.Create(2048);
        byte[]? keyRequest = null;
        byte[]? encrypted = null;
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(NativePassword.PluginName);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.AuthSwitch(AuthenticationExchange.Sha256PasswordPlugin, SwitchScramble));
            keyRequest = await s.ReceiveAsync();
            await s.SendAsync(Packets.MoreData(Encoding.ASCII.GetBytes(rsa.ExportSubjectPublicKeyInfoPem())));
            encrypted = await s.ReceiveAsync();
            await s.SendAsync(Packets.Ok());
        });

        await using (await MySqlClientConnection.OpenAsync(server.Settings() with { AllowPublicKeyRetrieval = true }))
        {
        }

        await server.Completion;
        Assert.Equal(new byte[] { AuthenticationExchange.Sha256RequestPublicKey }, keyRequest);
        Assert.Equal("secret\0", Unmask(rsa.Decrypt(encrypted!, RSAEncryptionPadding.OaepSHA1), SwitchScramble));
    }

    [Fact]
    public async Task OpenAsync_sha256_password_with_key_file_sends_encrypted_password_without_asking()
    {
        var (encrypted, rsa) = await ConnectWithKeyFileAsync(async s =>
        {
            await s.SendHandshakeAsync(NativePassword.PluginName);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.AuthSwitch(AuthenticationExchange.Sha256PasswordPlugin, SwitchScramble));
        });
        using (rsa)
        {
            Assert.Equal(256, encrypted.Length);
            Assert.Equal("secret\0", Unmask(rsa.Decrypt(encrypted, RSAEncryptionPadding.OaepSHA1), SwitchScramble));
        }
    }

    [Fact]
    public async Task OpenAsync_sha256_password_without_tls_or_key_refuses_and_sends_nothing()
    {
        var afterSwitch = new List<byte[]>();
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(NativePassword.PluginName);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.AuthSwitch(AuthenticationExchange.Sha256PasswordPlugin, SwitchScramble));
            try
            {
                afterSwitch.Add(await s.ReceiveAsync());
            }
            catch (MySqlIOException)
            {
                // the client hung up, as it should
            }
        });

        var error = await Assert.ThrowsAsync<MySqlProtocolException>(() => MySqlClientConnection.OpenAsync(server.Settings()));
        Assert.Contains("server-public-key-path", error.Message, StringComparison.Ordinal);
        await server.Completion;
        Assert.Empty(afterSwitch);
    }

    [Fact]
    public void Sha256Response_verified_tls_sends_clear_password_and_empty_password_a_nul()
    {
        var settings = new MySqlSettings { Password = "secret" };
        Assert.Equal("secret\0"u8.ToArray(), AuthenticationExchange.Sha256Response(settings, SwitchScramble, clearTextAllowed: true));
        Assert.Equal(new byte[] { 0 }, AuthenticationExchange.Sha256Response(settings with { Password = string.Empty }, SwitchScramble, clearTextAllowed: false));
    }

    [Fact]
    public async Task OpenAsync_caching_sha2_full_auth_reads_the_key_file()
    {
        var (encrypted, rsa) = await ConnectWithKeyFileAsync(async s =>
        {
            await s.SendHandshakeAsync(CachingSha2Password.PluginName);
            await s.ReceiveAsync();
            await s.SendAsync(Packets.MoreData(CachingSha2Password.PerformFullAuthentication));
        });
        using (rsa)
        {
            Assert.Equal("secret\0", Unmask(rsa.Decrypt(encrypted, RSAEncryptionPadding.OaepSHA1), FakeSession.Scramble));
        }
    }

    /// <summary>Runs <paramref name="untilPassword"/> on the fake server, then takes the client's next packet (the encrypted password) and accepts it; the key is a PEM file.</summary>
    private static async Task<(byte[] Encrypted, RSA Key)> ConnectWithKeyFileAsync(Func<FakeSession, Task> untilPassword)
    {
        var rsa = RSA.Create(2048);
        var keyFile = Path.Combine(Path.GetTempPath(), $"shadowcopy-test-rsa-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(keyFile, rsa.ExportSubjectPublicKeyInfoPem());
        try
        {
            byte[]? encrypted = null;
            await using var server = FakeServer.Start(async s =>
            {
                await untilPassword(s);
                encrypted = await s.ReceiveAsync();
                await s.SendAsync(Packets.Ok());
            });

            await using (await MySqlClientConnection.OpenAsync(server.Settings() with { ServerRsaPublicKeyPath = keyFile }))
            {
            }

            await server.Completion;
            return (encrypted!, rsa);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    private static string Unmask(byte[] clear, byte[] scramble) =>
        Encoding.UTF8.GetString(clear.Select((b, i) => (byte)(b ^ scramble[i % scramble.Length])).ToArray());
}
