namespace ShadowCopy.Core.Model;

/// <summary>Files a DSN names (TLS CA, client certificate and key, a server's public key).</summary>
public static class DsnFiles
{
    /// <summary>The file's full path; checked when the DSN is parsed, so a typo is a usage error, not a failed handshake later.</summary>
    public static string Existing(string key, string path) =>
        File.Exists(path) ? Path.GetFullPath(path) : throw new ShadowCopyException($"--dsn {key}: file '{path}' does not exist.", ExitCodes.UsageError);
}
