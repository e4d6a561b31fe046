using System.Text;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.MySql.External;

/// <summary>
/// A <c>[client]</c> option file holding the password for a peer tool, created 0600 (never
/// readable by others, not even for a moment) and deleted when disposed. Percona Toolkit reads it
/// through <c>--defaults-file</c> (which must be the first option), gh-ost through <c>--conf</c>;
/// both keep the password out of the process list, unlike <c>p=</c> or <c>--password</c>.
/// </summary>
internal sealed class MySqlOptionFile : IDisposable
{
    private MySqlOptionFile(string path) => Path = path;

    public string Path { get; }

    public static MySqlOptionFile Create(string? password)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"shadowcopy-{Guid.NewGuid():N}.cnf");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(Content(password));
        }

        return new MySqlOptionFile(path);
    }

    /// <summary>
    /// The option file text. Values are quoted so leading/trailing spaces, '#' and ';' survive;
    /// inside quotes the client library unescapes \\ (MySQL manual 6.2.2.2, "Using Option Files").
    /// </summary>
    internal static string Content(string? password)
    {
        if (password is null)
        {
            return "[client]\n";
        }

        if (password.Contains('\n', StringComparison.Ordinal) || password.Contains('\r', StringComparison.Ordinal))
        {
            throw new ShadowCopyException("The password contains a line break, which an option file cannot hold; alter --via cannot pass it to the tool.", ExitCodes.UsageError);
        }

        var escaped = password.Replace("\\", "\\\\", StringComparison.Ordinal);
        var quote = password.Contains('"', StringComparison.Ordinal) ? '\'' : '"';
        if (password.Contains('"', StringComparison.Ordinal) && password.Contains('\'', StringComparison.Ordinal))
        {
            throw new ShadowCopyException("The password contains both ' and \", which an option file cannot quote; alter --via cannot pass it to the tool.", ExitCodes.UsageError);
        }

        return $"[client]\npassword={quote}{escaped}{quote}\n";
    }

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Best effort; the file is 0600 in the temp directory.
        }
    }
}
