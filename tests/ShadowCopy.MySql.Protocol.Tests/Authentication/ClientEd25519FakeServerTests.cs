using ShadowCopy.MySql.Protocol.Authentication;
using ShadowCopy.MySql.Protocol.Serialization;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Authentication;

/// <summary>
/// The replication connection against a fake MariaDB whose account uses auth_ed25519: the handshake offers
/// mysql_native_password, the server switches to client_ed25519 with a 32-byte nonce, and accepts only a
/// signature that the account's stored public key verifies (the key the real server stored for "secret",
/// see <see cref="Ed25519Tests.ServerKeys"/>), as auth_ed25519 does.
/// </summary>
public sealed class ClientEd25519FakeServerTests
{
    private const string StoredKeyForSecret = "ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY";

    /// <summary>Ends in a zero byte: a nonce is random, and one in 256 does.</summary>
    private static readonly byte[] Nonce = Hex.Bytes("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f00");

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenAsync_auth_switch_to_ed25519_sends_a_signature_the_stored_key_verifies(bool nulTerminated)
    {
        var responses = new List<byte[]>();
        await using var server = StartAuthEd25519(nulTerminated, responses);

        await using (await MySqlClientConnection.OpenAsync(server.Settings()))
        {
        }

        await server.Completion;
        Assert.Equal(Ed25519.SignatureLength, Assert.Single(responses).Length);
    }

    [Fact]
    public async Task OpenAsync_ed25519_with_wrong_password_is_denied_by_the_server()
    {
        var responses = new List<byte[]>();
        await using var server = StartAuthEd25519(nulTerminated: false, responses);

        var error = await Assert.ThrowsAsync<MySqlServerException>(() => MySqlClientConnection.OpenAsync(server.Settings(password: "Secret")));
        Assert.Equal(1045, error.ErrorCode);
        await server.Completion;
        Assert.Equal(Ed25519.SignatureLength, Assert.Single(responses).Length);
    }

    [Fact]
    public async Task OpenAsync_ed25519_with_a_short_nonce_fails_naming_the_plugin_and_sends_nothing()
    {
        var afterSwitch = new List<byte[]>();
        await using var server = FakeServer.Start(async s =>
        {
            await s.SendHandshakeAsync(NativePassword.PluginName, version: "10.11.6-MariaDB");
            await s.ReceiveAsync();
            await s.SendAsync(AuthSwitch(Nonce[..20], nulTerminated: false));
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
        Assert.Contains("client_ed25519", error.Message, StringComparison.Ordinal);
        await server.Completion;
        Assert.Empty(afterSwitch);
    }

    /// <summary>A MariaDB account on auth_ed25519: switch to client_ed25519, then OK only for a signature the stored key verifies, else ER_ACCESS_DENIED_ERROR.</summary>
    private static FakeServer StartAuthEd25519(bool nulTerminated, List<byte[]> responses) => FakeServer.Start(async s =>
    {
        await s.SendHandshakeAsync(NativePassword.PluginName, version: "10.11.6-MariaDB");
        await s.ReceiveAsync();
        await s.SendAsync(AuthSwitch(Nonce, nulTerminated));
        var response = await s.ReceiveAsync();
        responses.Add(response);
        await s.SendAsync(Verifies(response) ? Packets.Ok() : Packets.Error(1045, "28000", "Access denied for user 'app'"));
    });

    /// <summary>auth_ed25519 writes the bare 32-byte nonce after the plugin name; the NUL-terminated form is how other plugins send their data.</summary>
    private static byte[] AuthSwitch(byte[] nonce, bool nulTerminated)
    {
        var w = new PacketWriter();
        w.WriteByte(0xFE);
        w.WriteNullTerminatedString(ClientEd25519.PluginName);
        w.WriteBytes(nonce);
        if (nulTerminated)
        {
            w.WriteByte(0);
        }

        return w.ToArray();
    }

    private static bool Verifies(byte[] response) =>
        Ed25519.Verify(Convert.FromBase64String(StoredKeyForSecret + "="), Nonce, response);
}
