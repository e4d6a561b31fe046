using System.Security.Cryptography;
using System.Text;

namespace ShadowCopy.MySql.Protocol.Authentication;

/// <summary>
/// MariaDB's client_ed25519 (server plugin auth_ed25519, MariaDB KB "Authentication Plugin - ed25519"): the
/// server sends a 32-byte nonce, the client answers with the 64-byte Ed25519 signature of that nonce, and the
/// server checks it with the public key it stores for the account. The secret is the password itself: the
/// expanded key is SHA-512(UTF-8 password), where RFC 8032 takes SHA-512 of a 32-byte seed; the rest is
/// RFC 8032 unchanged. One implementation serves both our replication connection and the SQL sessions on
/// MySqlConnector (registered there as an authentication plugin), so the two cannot disagree.
/// </summary>
public static class ClientEd25519
{
    public const string PluginName = "client_ed25519";

    /// <summary>Length of the server's nonce.</summary>
    public const int NonceLength = 32;

    /// <summary>
    /// The auth switch response: the signature of the first 32 bytes of <paramref name="nonce"/>. The data may
    /// carry more (a NUL terminator, as with other plugins); it must never be trimmed first, since a nonce is
    /// random and ends in a zero byte one time in 256.
    /// </summary>
    public static byte[] Response(string password, ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length < NonceLength)
        {
            throw new MySqlProtocolException($"The server's client_ed25519 nonce has {nonce.Length} bytes, not {NonceLength}.");
        }

        var message = nonce[..NonceLength].ToArray();
        return WithExpandedSecret(password, az => Ed25519.Sign(az, message));
    }

    /// <summary>The account's public key (32 bytes): what the server stores, base64-encoded, for an ed25519 account.</summary>
    public static byte[] PublicKeyBytes(string password) => WithExpandedSecret(password, az => Ed25519.PublicKey(az));

    /// <summary>The public key as the server shows it in mysql.global_priv (base64 without padding, 43 characters).</summary>
    public static string PublicKey(string password) => Convert.ToBase64String(PublicKeyBytes(password)).TrimEnd('=');

    /// <summary>Runs <paramref name="use"/> on az = SHA-512(UTF-8 password) and wipes az afterwards.</summary>
    private static byte[] WithExpandedSecret(string password, Func<byte[], byte[]> use)
    {
        ArgumentNullException.ThrowIfNull(password);
        var az = SHA512.HashData(Encoding.UTF8.GetBytes(password));
        try
        {
            return use(az);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(az);
        }
    }
}
