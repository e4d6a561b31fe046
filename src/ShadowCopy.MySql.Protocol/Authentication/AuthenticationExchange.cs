using Microsoft.Extensions.Logging;
using ShadowCopy.MySql.Protocol.Payloads;
using ShadowCopy.MySql.Protocol.Serialization;

namespace ShadowCopy.MySql.Protocol.Authentication;

/// <summary>
/// Runs the authentication phase after the handshake response: auth switch requests, auth-more-data
/// rounds of caching_sha2_password and sha256_password, until OK or ERR (client/server protocol,
/// "Authentication Phase"), and MariaDB's client_ed25519 (<see cref="ClientEd25519"/>).
/// </summary>
internal static class AuthenticationExchange
{
    public const string ClearPasswordPlugin = "mysql_clear_password";

    /// <summary>MySQL's sha256_password (deprecated in 8.0, still accepted by 8.4): clear over a secure channel, RSA-OAEP otherwise.</summary>
    public const string Sha256PasswordPlugin = "sha256_password";

    /// <summary>sha256_password: a one-byte response that asks the server for its RSA public key.</summary>
    public const byte Sha256RequestPublicKey = 1;

    /// <summary>Plugin name to announce and initial response for the server's default plugin.</summary>
    public static (string Plugin, byte[] Response) CreateInitialResponse(string serverPlugin, string password, byte[] scramble)
    {
        return serverPlugin switch
        {
            CachingSha2Password.PluginName => (serverPlugin, CachingSha2Password.Scramble(password, scramble)),
            // For any other default plugin, answer with native password: the server switches to the account's plugin if it differs.
            _ => (NativePassword.PluginName, NativePassword.Scramble(password, scramble)),
        };
    }

    public static async Task<OkPayload> RunAsync(
        PacketChannel channel,
        MySqlSettings settings,
        string plugin,
        byte[] scramble,
        bool clearTextAllowed,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        // Bounded: a well-behaved server needs at most a switch and two more-data rounds.
        for (var round = 0; round < 8; round++)
        {
            var payload = await channel.ReadPayloadAsync(cancellationToken).ConfigureAwait(false);
            if (payload.Length == 0)
            {
                throw new MySqlProtocolException("Empty packet during authentication.");
            }

            switch (payload.Span[0])
            {
                case 0x00:
                    return OkPayload.Parse(payload.Span);
                case 0xFF:
                    throw ErrorPayload.Parse(payload.Span).ToException();
                case 0xFE:
                    var request = AuthSwitchRequestPayload.Parse(payload.Span);
                    Log.AuthSwitch(logger, request.PluginName);
                    plugin = request.PluginName;
                    scramble = request.Data;
                    var switchResponse = plugin switch
                    {
                        Sha256PasswordPlugin => Sha256Response(settings, scramble, clearTextAllowed),
                        ClientEd25519.PluginName => ClientEd25519.Response(settings.Password, request.RawData),
                        _ => CreateSwitchResponse(plugin, settings.Password, scramble, clearTextAllowed),
                    };
                    await channel.WritePayloadAsync(switchResponse, cancellationToken).ConfigureAwait(false);
                    break;
                case 0x01 when plugin == CachingSha2Password.PluginName:
                    await ContinueCachingSha2Async(channel, settings, scramble, clearTextAllowed, payload.Span[1..].ToArray(), cancellationToken).ConfigureAwait(false);
                    break;
                case 0x01 when plugin == Sha256PasswordPlugin:
                    // The server's answer to our key request: its public key (PEM).
                    var pem = System.Text.Encoding.ASCII.GetString(payload.Span[1..]);
                    await channel.WritePayloadAsync(CachingSha2Password.EncryptPassword(settings.Password, scramble, pem), cancellationToken).ConfigureAwait(false);
                    break;
                default:
                    throw new MySqlProtocolException($"Unexpected packet 0x{payload.Span[0]:X2} during {plugin} authentication.");
            }
        }

        throw new MySqlProtocolException("Authentication did not complete after 8 rounds.");
    }

    internal static byte[] CreateSwitchResponse(string plugin, string password, byte[] scramble, bool clearTextAllowed) => plugin switch
    {
        NativePassword.PluginName => NativePassword.Scramble(password, scramble),
        CachingSha2Password.PluginName => CachingSha2Password.Scramble(password, scramble),
        ClearPasswordPlugin when clearTextAllowed => CachingSha2Password.NullTerminated(password),
        ClearPasswordPlugin => throw new MySqlProtocolException(
            "The server asked for mysql_clear_password; refusing to send a clear-text password over a channel that is not verified TLS (use SslMode VerifyCA or VerifyFull, or AllowClearTextPasswordOverUnixSocket on a Unix socket)."),
        _ => throw new MySqlProtocolException($"Authentication plugin '{plugin}' is not supported by this client."),
    };

    /// <summary>
    /// sha256_password's first response (MySQL Server Doxygen, "SHA256 authentication"): the password in clear
    /// over verified TLS or a permitted Unix socket; otherwise RSA-encrypted with the configured key, or a
    /// request for the server's key when that is allowed; an empty password is a single NUL.
    /// </summary>
    internal static byte[] Sha256Response(MySqlSettings settings, byte[] scramble, bool clearTextAllowed)
    {
        if (settings.Password.Length == 0)
        {
            return [0];
        }

        if (clearTextAllowed)
        {
            return CachingSha2Password.NullTerminated(settings.Password);
        }

        if (ConfiguredPublicKey(settings) is { } key)
        {
            return CachingSha2Password.EncryptPassword(settings.Password, scramble, key);
        }

        return settings.AllowPublicKeyRetrieval
            ? [Sha256RequestPublicKey]
            : throw new MySqlProtocolException(
                "sha256_password needs TLS with certificate verification (VerifyCA/VerifyFull), the server's public key (server-public-key-path), or get-server-public-key=true.");
    }

    /// <summary>The server's RSA public key given in the settings, inline or as a PEM file.</summary>
    private static string? ConfiguredPublicKey(MySqlSettings settings) =>
        settings.ServerRsaPublicKey ?? (settings.ServerRsaPublicKeyPath is { } path ? File.ReadAllText(path) : null);

    private static async Task ContinueCachingSha2Async(
        PacketChannel channel,
        MySqlSettings settings,
        byte[] scramble,
        bool clearTextAllowed,
        byte[] data,
        CancellationToken cancellationToken)
    {
        if (data.Length == 1 && data[0] == CachingSha2Password.FastAuthSuccess)
        {
            return; // the OK packet follows
        }

        if (data.Length != 1 || data[0] != CachingSha2Password.PerformFullAuthentication)
        {
            throw new MySqlProtocolException("Unexpected caching_sha2_password auth-more-data packet.");
        }

        if (clearTextAllowed)
        {
            await channel.WritePayloadAsync(CachingSha2Password.NullTerminated(settings.Password), cancellationToken).ConfigureAwait(false);
            return;
        }

        var key = ConfiguredPublicKey(settings);
        if (key is null)
        {
            if (!settings.AllowPublicKeyRetrieval)
            {
                throw new MySqlProtocolException(
                    "caching_sha2_password needs full authentication: use TLS with certificate verification (VerifyCA/VerifyFull), the server's public key (server-public-key-path), or get-server-public-key=true (over a Unix socket: AllowClearTextPasswordOverUnixSocket).");
            }

            await channel.WritePayloadAsync(new[] { CachingSha2Password.RequestPublicKey }, cancellationToken).ConfigureAwait(false);
            var reply = await channel.ReadPayloadAsync(cancellationToken).ConfigureAwait(false);
            if (reply.Length < 2 || reply.Span[0] != 0x01)
            {
                if (reply.Length > 0 && reply.Span[0] == 0xFF)
                {
                    throw ErrorPayload.Parse(reply.Span).ToException();
                }

                throw new MySqlProtocolException("Expected the server's RSA public key.");
            }

            key = System.Text.Encoding.ASCII.GetString(reply.Span[1..]);
        }

        await channel.WritePayloadAsync(CachingSha2Password.EncryptPassword(settings.Password, scramble, key), cancellationToken).ConfigureAwait(false);
    }
}
