using MySqlConnector.Authentication;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Protocol.Authentication;

namespace ShadowCopy.MySql.Tests;

/// <summary>The SQL sessions' client_ed25519: registered with MySqlConnector by building a connection string, and the same signer as the replication connection.</summary>
public sealed class MySqlEd25519PluginTests
{
    /// <summary>The public key MariaDB 10.11 stored for an ed25519 account with password "secret" (mysql.global_priv).</summary>
    private const string StoredKeyForSecret = "ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY";

    [Fact]
    public void Building_a_connection_string_registers_client_ed25519_with_the_driver()
    {
        _ = MySqlConnectionStrings.For(new MySqlSettings { Host = "db1", User = "app", Password = "pw" });

        // The registry has no lookup; a second plugin under the same name is refused because ours is there.
        Assert.Throws<ArgumentException>(() => AuthenticationPlugins.Register(new Impostor()));
    }

    [Fact]
    public void Plugin_answers_with_the_shared_signer_and_gives_the_public_key_as_password_hash()
    {
        var nonce = "0123456789abcdef0123456789abcdef"u8.ToArray();
        IAuthenticationPlugin3 plugin = MySqlEd25519Plugin.Instance;

        plugin.CreateResponseAndPasswordHash("secret", [.. nonce, 0], out var response, out var hash);

        Assert.Equal("client_ed25519", plugin.Name);
        Assert.Equal(ClientEd25519.Response("secret", nonce), response);
        Assert.Equal(ClientEd25519.Response("secret", nonce), plugin.CreateResponse("secret", nonce));
        Assert.Equal(Convert.FromBase64String(StoredKeyForSecret + "="), hash);
    }

    private sealed class Impostor : IAuthenticationPlugin
    {
        public string Name => ClientEd25519.PluginName;

        public byte[] CreateResponse(string password, ReadOnlySpan<byte> authenticationData) => [];
    }
}
