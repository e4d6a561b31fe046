using System.Security.Cryptography;
using System.Text;

namespace ShadowCopy.Core.Control;

/// <summary>
/// Where a run's control socket lives when <c>--control-socket</c> is not given: the temp dir
/// (TMPDIR), named after database, schema and table, so <c>shadowcopy ctl --dsn … --table …</c>
/// finds it without connecting anywhere, and two runs on one table collide on purpose.
/// </summary>
public static class ControlSocketPath
{
    /// <summary>sun_path holds 108 bytes on Linux including the terminating NUL (unix(7)).</summary>
    public const int MaxBytes = 107;

    public static string Default(string database, string schema, string table) =>
        Default(Path.GetTempPath(), database, schema, table);

    public static string Default(string directory, string database, string schema, string table)
    {
        var identity = $"{database}.{schema}.{table}";
        var safe = new StringBuilder(identity.Length);
        foreach (var c in identity)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        var plain = Path.Combine(directory, $"shadowcopy-{safe}.sock");
        if (safe.ToString() == identity && Encoding.UTF8.GetByteCount(plain) <= MaxBytes)
        {
            return plain;
        }

        // Replaced characters could make two tables share a name, and a long name does not fit:
        // keep a readable prefix and add a hash of the exact identity.
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..16];
        var fixedPart = Encoding.UTF8.GetByteCount(Path.Combine(directory, $"shadowcopy--{hash}.sock"));
        var room = Math.Max(0, MaxBytes - fixedPart);
        var prefix = safe.ToString(0, Math.Min(safe.Length, room));
        var path = Path.Combine(directory, $"shadowcopy-{prefix}-{hash}.sock");
        if (Encoding.UTF8.GetByteCount(path) > MaxBytes)
        {
            throw new ArgumentException($"the temp dir '{directory}' is too long for a Unix socket path ({MaxBytes} bytes); give --control-socket a shorter path");
        }

        return path;
    }
}
