using System.Numerics;
using System.Security.Cryptography;

namespace ShadowCopy.MySql.Protocol.Authentication;

/// <summary>
/// Ed25519 (RFC 8032, section 5.1) on edwards25519, written from the RFC with <see cref="BigInteger"/> in
/// extended coordinates (X:Y:Z:T with x = X/Z, y = Y/Z, xy = T/Z). Not constant-time and slow (milliseconds
/// per signature): it signs once per connection, with a key derived from the password the process already
/// holds in memory. Signing starts from the 64-byte expanded secret <c>az</c> = SHA-512(secret) so that both
/// RFC 8032 (secret = 32-byte seed) and MariaDB's client_ed25519 (secret = the password) use the same code.
/// </summary>
internal static class Ed25519
{
    public const int SignatureLength = 64;
    public const int PublicKeyLength = 32;

    /// <summary>p = 2^255 - 19.</summary>
    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;

    /// <summary>L, the order of the base point: 2^252 + 27742317777372353535851937790883648493.</summary>
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>d = -121665/121666 mod p.</summary>
    private static readonly BigInteger D = Mod(-121665 * Inverse(121666));

    /// <summary>sqrt(-1) = 2^((p-1)/4) mod p, for the square root in point decoding.</summary>
    private static readonly BigInteger SqrtMinusOne = BigInteger.ModPow(2, (P - 1) / 4, P);

    /// <summary>The base point B: y = 4/5, x positive (even).</summary>
    private static readonly Point B = BasePoint();

    private static readonly Point Identity = new(0, 1, 1, 0);

    /// <summary>The public key enc(a·B) of the expanded secret <paramref name="az"/>.</summary>
    public static byte[] PublicKey(ReadOnlySpan<byte> az) => Encode(Multiply(B, Clamp(az)));

    /// <summary>
    /// Signature enc(R) ‖ enc(S) of <paramref name="message"/> under the expanded secret <paramref name="az"/> (64 bytes):
    /// a = clamp(az[0..32]), r = SHA-512(az[32..64] ‖ M) mod L, R = r·B, k = SHA-512(enc(R) ‖ enc(A) ‖ M) mod L,
    /// S = (r + k·a) mod L (RFC 8032, 5.1.6).
    /// </summary>
    public static byte[] Sign(ReadOnlySpan<byte> az, ReadOnlySpan<byte> message)
    {
        if (az.Length != 64)
        {
            throw new ArgumentException("The expanded secret is 64 bytes.", nameof(az));
        }

        var a = Clamp(az);
        var publicKey = Encode(Multiply(B, a));
        var r = Mod(FromLittleEndian(SHA512.HashData([.. az[32..], .. message])), L);
        var encodedR = Encode(Multiply(B, r));
        var k = Mod(FromLittleEndian(SHA512.HashData([.. encodedR, .. publicKey, .. message])), L);
        var s = Mod(r + (k * a), L);
        return [.. encodedR, .. ToLittleEndian(s)];
    }

    /// <summary>RFC 8032, 5.1.7: [S]B = R + [k]A, with S &lt; L and both points valid encodings.</summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeyLength || signature.Length != SignatureLength)
        {
            return false;
        }

        var s = FromLittleEndian(signature[32..]);
        if (s >= L || Decode(publicKey) is not { } a || Decode(signature[..32]) is not { } r)
        {
            return false;
        }

        var k = Mod(FromLittleEndian(SHA512.HashData([.. signature[..32], .. publicKey, .. message])), L);
        return Equal(Multiply(B, s), Add(r, Multiply(a, k)));
    }

    /// <summary>The scalar a: the low 32 bytes of az with bits 0–2 and 255 cleared and bit 254 set (RFC 8032, 5.1.5).</summary>
    private static BigInteger Clamp(ReadOnlySpan<byte> az)
    {
        Span<byte> h = stackalloc byte[32];
        az[..32].CopyTo(h);
        h[0] &= 248;
        h[31] &= 127;
        h[31] |= 64;
        return FromLittleEndian(h);
    }

    private readonly record struct Point(BigInteger X, BigInteger Y, BigInteger Z, BigInteger T);

    /// <summary>The unified addition of RFC 8032, 5.1.4 (complete on edwards25519, so it also doubles).</summary>
    private static Point Add(Point p, Point q)
    {
        var a = Mod((p.Y - p.X) * (q.Y - q.X));
        var b = Mod((p.Y + p.X) * (q.Y + q.X));
        var c = Mod(2 * p.T * q.T * D);
        var d = Mod(2 * p.Z * q.Z);
        var e = b - a;
        var f = d - c;
        var g = d + c;
        var h = b + a;
        return new Point(Mod(e * f), Mod(g * h), Mod(f * g), Mod(e * h));
    }

    /// <summary>n·p by double-and-add, most significant bit first.</summary>
    private static Point Multiply(Point p, BigInteger n)
    {
        var result = Identity;
        for (var bit = (int)n.GetBitLength() - 1; bit >= 0; bit--)
        {
            result = Add(result, result);
            if (!(n >> bit).IsEven)
            {
                result = Add(result, p);
            }
        }

        return result;
    }

    private static bool Equal(Point p, Point q) =>
        Mod((p.X * q.Z) - (q.X * p.Z)).IsZero && Mod((p.Y * q.Z) - (q.Y * p.Z)).IsZero;

    /// <summary>y little-endian in 255 bits, the low bit of x in bit 255 (RFC 8032, 5.1.2).</summary>
    private static byte[] Encode(Point p)
    {
        var zInverse = Inverse(p.Z);
        var x = Mod(p.X * zInverse);
        var y = Mod(p.Y * zInverse);
        var bytes = ToLittleEndian(y);
        bytes[31] |= (byte)(x.IsEven ? 0 : 0x80);
        return bytes;
    }

    /// <summary>RFC 8032, 5.1.3; null for a string that is not a point.</summary>
    private static Point? Decode(ReadOnlySpan<byte> encoded)
    {
        Span<byte> yBytes = stackalloc byte[32];
        encoded.CopyTo(yBytes);
        var sign = yBytes[31] >> 7;
        yBytes[31] &= 0x7F;
        var y = FromLittleEndian(yBytes);
        if (y >= P)
        {
            return null;
        }

        if (RecoverX(y, sign) is not { } x)
        {
            return null;
        }

        return new Point(x, y, 1, Mod(x * y));
    }

    /// <summary>x from y and its low bit: x² = (y² - 1) / (d·y² + 1).</summary>
    private static BigInteger? RecoverX(BigInteger y, int sign)
    {
        var u = Mod((y * y) - 1);
        var v = Mod((D * y * y) + 1);
        var x = Mod(u * BigInteger.ModPow(v, 3, P) * BigInteger.ModPow(u * BigInteger.ModPow(v, 7, P), (P - 5) / 8, P));
        var vx2 = Mod(v * x * x);
        if (vx2 != u)
        {
            if (vx2 != Mod(-u))
            {
                return null;
            }

            x = Mod(x * SqrtMinusOne);
        }

        if (x.IsZero && sign == 1)
        {
            return null;
        }

        return (int)(x % 2) == sign ? x : P - x;
    }

    private static Point BasePoint()
    {
        var y = Mod(4 * Inverse(5));
        var x = RecoverX(y, 0) ?? throw new InvalidOperationException("The base point does not decode.");
        return new Point(x, y, 1, Mod(x * y));
    }

    private static BigInteger Inverse(BigInteger value) => BigInteger.ModPow(value, P - 2, P);

    private static BigInteger Mod(BigInteger value) => Mod(value, P);

    private static BigInteger Mod(BigInteger value, BigInteger modulus)
    {
        var r = BigInteger.Remainder(value, modulus);
        return r.Sign < 0 ? r + modulus : r;
    }

    private static BigInteger FromLittleEndian(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: false);

    private static byte[] ToLittleEndian(BigInteger value)
    {
        var bytes = new byte[32];
        if (!value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false))
        {
            throw new InvalidOperationException("A field element or scalar does not fit 32 bytes.");
        }

        return bytes;
    }
}
