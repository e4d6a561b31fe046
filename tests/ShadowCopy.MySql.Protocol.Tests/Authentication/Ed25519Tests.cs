using System.Security.Cryptography;
using System.Text;
using ShadowCopy.MySql.Protocol.Authentication;
using ShadowCopy.MySql.Protocol.Tests.Fakes;

namespace ShadowCopy.MySql.Protocol.Tests.Authentication;

/// <summary>
/// The curve arithmetic against RFC 8032 ("Edwards-Curve Digital Signature Algorithm (EdDSA)"), section 7.1,
/// TEST 1–3 and TEST SHA(abc): the RFC's seed path is az = SHA-512(seed), the same signer MariaDB's
/// client_ed25519 feeds with az = SHA-512(password). The password path is checked against keys the real
/// MariaDB 10.11 server stored (<see cref="ServerKeys"/>).
/// </summary>
public sealed class Ed25519Tests
{
    public static TheoryData<string, string, string, string> Rfc8032Vectors => new()
    {
        {
            // TEST 1 (empty message)
            "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
            "",
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        },
        {
            // TEST 2 (one byte)
            "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
            "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
            "72",
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        },
        {
            // TEST 3 (two bytes)
            "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
            "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
            "af82",
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        },
    };

    /// <summary>
    /// Public keys MariaDB 10.11.x computed itself: <c>CREATE USER … IDENTIFIED VIA ed25519 USING PASSWORD('…')</c>,
    /// then <c>JSON_VALUE(Priv, '$.authentication_string')</c> from mysql.global_priv (base64, no padding).
    /// The second password is not ASCII: the server hashes its UTF-8 bytes.
    /// </summary>
    public static TheoryData<string, string> ServerKeys => new()
    {
        { "secret", "ZIgUREUg5PVgQ6LskhXmO+eZLS0nC8be6HPjYWR4YJY" },
        { "ShadowCopy-ed25519 pässword", "bV38WmgY0iQrxvBQ79Kyo6EXZBg/qqSIG7fqkkz+VPY" },
    };

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void Sign_from_seed_matches_rfc8032_test_vectors(string seed, string publicKey, string message, string signature)
    {
        var az = SHA512.HashData(Convert.FromHexString(seed));

        Assert.Equal(publicKey, Convert.ToHexStringLower(Ed25519.PublicKey(az)));
        Assert.Equal(signature, Convert.ToHexStringLower(Ed25519.Sign(az, Convert.FromHexString(message))));
    }

    [Theory]
    [MemberData(nameof(Rfc8032Vectors))]
    public void Verify_accepts_rfc8032_signatures_and_rejects_any_flipped_bit(string seed, string publicKey, string message, string signature)
    {
        _ = seed;
        var key = Convert.FromHexString(publicKey);
        var m = Convert.FromHexString(message);
        var sig = Convert.FromHexString(signature);
        Assert.True(Ed25519.Verify(key, m, sig));

        foreach (var bit in new[] { 0, 100, 255, 256, 300, 511 })
        {
            var bad = (byte[])sig.Clone();
            bad[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Ed25519.Verify(key, m, bad), $"bit {bit} flipped");
        }

        Assert.False(Ed25519.Verify(key, [.. m, 0], sig));
    }

    [Theory]
    [MemberData(nameof(ServerKeys))]
    public void PublicKey_of_password_is_the_one_mariadb_stores(string password, string serverKey)
    {
        Assert.Equal(serverKey, ClientEd25519.PublicKey(password));
    }

    [Theory]
    [MemberData(nameof(ServerKeys))]
    public void Response_is_a_signature_of_the_nonce_that_the_stored_key_verifies(string password, string serverKey)
    {
        var nonce = Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef");
        var key = Convert.FromBase64String(serverKey + "=");

        var response = ClientEd25519.Response(password, nonce);

        Assert.Equal(Ed25519.SignatureLength, response.Length);
        Assert.True(Ed25519.Verify(key, nonce, response));
        Assert.False(Ed25519.Verify(key, nonce, ClientEd25519.Response(password + "x", nonce)));
    }

    [Fact]
    public void Response_signs_only_the_first_32_bytes_and_refuses_a_short_nonce()
    {
        var nonce = Hex.Bytes("00112233445566778899aabbccddeeff00112233445566778899aabbccddee00");

        Assert.Equal(ClientEd25519.Response("secret", nonce), ClientEd25519.Response("secret", [.. nonce, 0]));
        var error = Assert.Throws<MySqlProtocolException>(() => ClientEd25519.Response("secret", nonce[..31]));
        Assert.Contains("client_ed25519", error.Message, StringComparison.Ordinal);
    }
}
