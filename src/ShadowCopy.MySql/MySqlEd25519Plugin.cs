using MySqlConnector.Authentication;
using ShadowCopy.MySql.Protocol.Authentication;

namespace ShadowCopy.MySql;

/// <summary>
/// MariaDB's client_ed25519 for the SQL sessions: MySqlConnector asks its plugin registry for a plugin by
/// the name the server switches to, and without one refuses the account. This registers our own signer,
/// the one the replication connection uses (<see cref="ClientEd25519"/>), once per process (ADR 0022).
/// MySqlConnector 2.6 accepts a client_ed25519 plugin only through <see cref="IAuthenticationPlugin3"/>,
/// which also hands back a "password hash": for ed25519 that is the public key, the only thing derived from
/// the password that the server holds too (MariaDB 11.4+ uses it to check a self-signed TLS certificate's
/// fingerprint; 10.11 ignores it).
/// </summary>
internal sealed class MySqlEd25519Plugin : IAuthenticationPlugin3
{
    static MySqlEd25519Plugin() => AuthenticationPlugins.Register(Instance);

    private MySqlEd25519Plugin()
    {
    }

    /// <summary>The one registered instance.</summary>
    public static MySqlEd25519Plugin Instance { get; } = new();

    public string Name => ClientEd25519.PluginName;

    /// <summary>Registers the plugin with MySqlConnector; the first call does it, later calls do nothing.</summary>
    public static void EnsureRegistered()
    {
        // The static constructor runs exactly once, before this body, on whichever thread comes first.
    }

    public byte[] CreateResponse(string password, ReadOnlySpan<byte> authenticationData) =>
        ClientEd25519.Response(password, authenticationData);

    public void CreateResponseAndPasswordHash(string password, ReadOnlySpan<byte> authenticationData, out byte[] authenticationResponse, out byte[] passwordHash)
    {
        authenticationResponse = ClientEd25519.Response(password, authenticationData);
        passwordHash = ClientEd25519.PublicKeyBytes(password);
    }
}
