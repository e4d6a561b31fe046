using System.Diagnostics;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// Runs the real executable for alter --via, with a PATH of our choosing in front (a fake or
/// wrapping tool in a per-test directory, or nothing at all) and the password only in the environment.
/// </summary>
internal sealed class MyViaToolCli : IDisposable
{
    private static readonly Lazy<string> DotNet = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "dotnet")).FirstOrDefault(File.Exists) ?? "dotnet");

    public MyViaToolCli() => Directory.CreateDirectory(ToolDirectory);

    /// <summary>A directory of this test only; put fake tools here.</summary>
    public string ToolDirectory { get; } = Path.Combine(Path.GetTempPath(), $"sc-via-tools-{Guid.NewGuid():N}");

    /// <summary>Writes an executable script into <see cref="ToolDirectory"/>.</summary>
    public void AddTool(string name, string script)
    {
        var path = Path.Combine(ToolDirectory, name);
        File.WriteAllText(path, script.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>The arguments the fake tool recorded (one per line), if it did.</summary>
    public string[] RecordedArguments() => File.ReadAllLines(Path.Combine(ToolDirectory, "args"));

    /// <param name="onlyToolDirectory">PATH is only the tool directory: nothing else is found.</param>
    public Task<(int Exit, string Stdout, string Stderr)> RunAsync(bool onlyToolDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        StartAsync(DotNet.Value, [CliDll, .. args], onlyToolDirectory, environment);

    /// <summary>Runs a bash script whose "$@" is the CLI command line (for signals sent from the script).</summary>
    public Task<(int Exit, string Stdout, string Stderr)> RunScriptAsync(string script, params string[] args) =>
        StartAsync("bash", ["-c", script, "bash", DotNet.Value, CliDll, .. args], false, null);

    private static string CliDll => CliProcess.Dll;

    private async Task<(int Exit, string Stdout, string Stderr)> StartAsync(string program, string[] args, bool onlyToolDirectory, IReadOnlyDictionary<string, string>? environment)
    {
        var variables = new Dictionary<string, string>
        {
            ["PATH"] = onlyToolDirectory ? ToolDirectory : ToolDirectory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"),
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }

        using var process = CliProcess.Start(program, args, TestServers.Get("SHADOWCOPY_MY_PASSWORD"), "MYSQL_PWD", variables);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => Directory.Delete(ToolDirectory, recursive: true);
}
