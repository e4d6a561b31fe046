using System.Diagnostics;
using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Model;

namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>
/// The real executable run with a control socket, a journal and a hooks dir in a temp dir, driven
/// with the real <c>shadowcopy ctl</c>. Each hook script appends one line
/// (<c>hook|phase|rows copied|rows estimated|engine|database|table|capture|exit code|pw=…</c>)
/// to <see cref="HookLog"/>; pw= shows any password variable the hook could see.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class ControlledRun : IDisposable
{
    private static readonly string[] PasswordVariables = ["SHADOWCOPY_PASSWORD", "PGPASSWORD", "MYSQL_PWD"];
    private Process? _process;
    private Task<string>? _stdout;
    private Task<string>? _stderr;

    public ControlledRun()
    {
        // Short: the socket path must stay under 107 bytes.
        Dir = Directory.CreateTempSubdirectory("scc-").FullName;
        Directory.CreateDirectory(HooksDir);
        foreach (var hook in HookNames.All.Where(h => h != HookNames.Status))
        {
            var path = Path.Combine(HooksDir, hook);
            File.WriteAllText(path, $$"""
                #!/bin/sh
                echo "$SHADOWCOPY_HOOK|$SHADOWCOPY_PHASE|$SHADOWCOPY_ROWS_COPIED|$SHADOWCOPY_ROWS_ESTIMATED|$SHADOWCOPY_ENGINE|$SHADOWCOPY_DATABASE|$SHADOWCOPY_TABLE|$SHADOWCOPY_CAPTURE|$SHADOWCOPY_EXIT_CODE|pw=${SHADOWCOPY_PASSWORD}${PGPASSWORD}${MYSQL_PWD}" >> '{{HookLog}}'
                """);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    public string Dir { get; }

    public string Socket => Path.Combine(Dir, "run.sock");

    public string Journal => Path.Combine(Dir, "journal.jsonl");

    public string HooksDir => Path.Combine(Dir, "hooks");

    public string HookLog => Path.Combine(Dir, "hooks.log");

    private static string CliDll => Path.Combine(AppContext.BaseDirectory, "shadowcopy.dll");

    /// <summary>Starts <c>shadowcopy alter --execute</c> with the password in <c>SHADOWCOPY_PASSWORD</c> only.</summary>
    public void Start(string dsn, string table, string alter, string password, params string[] extra)
    {
        var info = NewInfo(password);
        foreach (var arg in (string[])[CliDll, "alter", "--dsn", dsn, "--table", table, "--alter", alter, "--execute", "--output", "json",
            "--control-socket", Socket, "--journal", Journal, "--hooks-dir", HooksDir, .. extra])
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start the CLI");
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
    }

    public async Task<(int ExitCode, string Output)> WaitAsync(TimeSpan timeout)
    {
        using var bounded = new CancellationTokenSource(timeout);
        try
        {
            await _process!.WaitForExitAsync(bounded.Token);
        }
        catch (OperationCanceledException)
        {
            _process!.Kill(entireProcessTree: true);
            throw new TimeoutException($"alter did not finish within {timeout}: {await _stdout!}{await _stderr!}");
        }

        return (_process.ExitCode, await _stdout! + await _stderr!);
    }

    /// <summary>Runs <c>shadowcopy ctl --socket … WORDS</c> as its own process.</summary>
    public static async Task<(int ExitCode, string Output)> CtlAsync(string socket, params string[] words)
    {
        var info = NewInfo(null);
        foreach (var arg in (string[])[CliDll, "ctl", "--socket", socket, .. words])
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the CLI");
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    /// <summary>The last <c>ctl</c> failure seen while polling (diagnostics for a timeout).</summary>
    public string? LastCtlFailure { get; private set; }

    public async Task<JsonElement?> StatusAsync()
    {
        var (exitCode, output) = await CtlAsync(Socket, "status", "json");
        if (exitCode != ExitCodes.Success)
        {
            LastCtlFailure = $"exit {exitCode}: {output}";
            return null;
        }

        return JsonDocument.Parse(output).RootElement;
    }

    /// <summary>Polls <c>ctl status json</c> until <paramref name="condition"/> holds; fails with the last status after <paramref name="timeout"/>.</summary>
    public async Task<JsonElement> WaitForStatusAsync(Func<JsonElement, bool> condition, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        JsonElement? last = null;
        while (watch.Elapsed < timeout)
        {
            if (_process!.HasExited)
            {
                // (Not Assert.False with an interpolated message: that would await the output, i.e. the exit, on every poll.)
                Assert.Fail($"alter exited early (last ctl failure: {LastCtlFailure}): {await _stdout!}{await _stderr!}");
            }

            last = await StatusAsync() ?? last;
            if (last is { } status && condition(status))
            {
                return status;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"status never matched within {timeout}; last: {last}; last ctl failure: {LastCtlFailure}");
    }

    public List<JsonElement> JournalEvents() =>
        [.. File.ReadAllLines(Journal).Select(line => JsonDocument.Parse(line).RootElement)];

    public List<string[]> HookLines() =>
        File.Exists(HookLog) ? [.. File.ReadAllLines(HookLog).Select(l => l.Split('|'))] : [];

    public void Dispose()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
        }

        _process?.Dispose();
        Directory.Delete(Dir, recursive: true);
    }

    private static ProcessStartInfo NewInfo(string? password)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var variable in PasswordVariables)
        {
            info.Environment.Remove(variable);
        }

        if (password is not null)
        {
            info.Environment["SHADOWCOPY_PASSWORD"] = password;
        }

        return info;
    }
}
