using System.Security.Cryptography;
using System.Text;

namespace ShadowCopy.MySql.Protocol.Authentication;

/// <summary>
/// caching_sha2_password (MySQL 8 default): the fast path sends XOR(SHA256(pw), SHA256(SHA256(SHA256(pw)) + nonce));
/// full authentication sends the password in clear over a secure channel, or RSA-OAEP encrypted with the server's key.
/// (MySQL Server Doxygen, "Caching_sha2_password information".)
/// </summary>
internal static class CachingSha2Password
{
    public const string PluginName = "caching_sha2_password";

    public const byte FastAuthSuccess = 3;
    public const byte PerformFullAuthentication = 4;
    public const byte RequestPublicKey = 2;

    public static byte[] Scramble(string password, ReadOnlySpan<byte> nonce)
    {
        if (password.Length == 0)
        {
            return [];
        }

        var stage1 = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        var stage2 = SHA256.HashData(stage1);
        var salt = nonce.Length > 20 ? nonce[..20] : nonce;
        var mix = SHA256.HashData([.. stage2, .. salt]);
        for (var i = 0; i < stage1.Length; i++)
        {
            stage1[i] ^= mix[i];
        }

        return stage1;
    }

    /// <summary>Password + NUL, XORed with the nonce (repeated), encrypted with RSA/OAEP-SHA1 (MySQL 8.0.5+).</summary>
    public static byte[] EncryptPassword(string password, ReadOnlySpan<byte> nonce, string publicKeyPem)
    {
        var clear = NullTerminated(password);
        for (var i = 0; i < clear.Length; i++)
        {
            clear[i] ^= nonce[i % nonce.Length];
        }

        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(publicKeyPem);
        }
        catch (ArgumentException ex)
        {
            throw new MySqlProtocolException("The server's RSA public key is not a valid PEM key.", ex);
        }

        return rsa.Encrypt(clear, RSAEncryptionPadding.OaepSHA1);
    }

    public static byte[] NullTerminated(string password) => [.. Encoding.UTF8.GetBytes(password), 0];
}
