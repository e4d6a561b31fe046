namespace ShadowCopy.MySql.Protocol.Tests.Fakes;

internal static class Hex
{
    /// <summary>"0a 35 2e" → bytes; whitespace ignored.</summary>
    public static byte[] Bytes(string hex) => Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));
}
