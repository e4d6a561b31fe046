using System.Security.Cryptography;
using System.Text;

namespace ShadowCopy.MySql.Protocol.Authentication;

/// <summary>mysql_native_password: SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))).</summary>
internal static class NativePassword
{
    public const string PluginName = "mysql_native_password";

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "mysql_native_password is defined with SHA1; the server checks exactly this.")]
    public static byte[] Scramble(string password, ReadOnlySpan<byte> scramble)
    {
        if (password.Length == 0)
        {
            return [];
        }

        var stage1 = SHA1.HashData(Encoding.UTF8.GetBytes(password));
        var stage2 = SHA1.HashData(stage1);
        var salt = scramble.Length > 20 ? scramble[..20] : scramble;
        var mix = SHA1.HashData([.. salt, .. stage2]);
        for (var i = 0; i < stage1.Length; i++)
        {
            stage1[i] ^= mix[i];
        }

        return stage1;
    }
}
