using System.Diagnostics;

namespace ShadowCopy.MySql.External;

/// <summary>
/// One run of a peer tool: arguments passed as a list (no shell, no quoting), stdout and stderr
/// streamed line by line with the password masked, the password variables removed from its
/// environment (it reads the option file), and a bounded kill of the whole process tree.
/// </summary>
internal sealed class ExternalToolProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<int> _exit;

    private ExternalToolProcess(Process process)
    {
        _process = process;
        _exit = WaitAsync(process);
    }

    /// <summary>Completes with the tool's exit status.</summary>
    public Task<int> Exit => _exit;

    public static ExternalToolProcess Start(string executable, IReadOnlyList<string> arguments, string? password, Action<bool, string> onLine)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // a tool that prompts (e.g. --ask-pass) reads EOF instead of hanging
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("SHADOWCOPY_PASSWORD");
        info.Environment.Remove("MYSQL_PWD");
        var process = new Process { StartInfo = info };
        string Mask(string line) => string.IsNullOrEmpty(password) || password.Length < 3 ? line : line.Replace(password, "***", StringComparison.Ordinal);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onLine(false, Mask(e.Data));
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onLine(true, Mask(e.Data));
            }
        };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ExternalToolProcess(process);
    }

    public bool HasExited => _exit.IsCompleted;

    /// <summary>Kills the tool (and anything it started) and waits, bounded, for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (_exit.IsCompleted)
        {
            return;
        }

        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited in between.
        }

        await Task.WhenAny(_exit, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private static async Task<int> WaitAsync(Process process)
    {
        // WaitForExitAsync also waits for the end of the redirected streams: every line is delivered.
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }
}
