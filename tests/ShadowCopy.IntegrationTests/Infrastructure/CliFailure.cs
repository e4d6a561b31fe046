namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>
/// Runs the real executable to a failure and checks what a person sees (issue 13): one sentence,
/// the result line and the exit code on stderr, never a stack trace or an exception's type name.
/// </summary>
internal static class CliFailure
{
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string password, string driverPasswordVariable, params string[] args)
    {
        using var process = CliProcess.Start("dotnet", [CliProcess.Dll, .. args], password, driverPasswordVariable);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>stderr is exactly: the sentence (containing <paramref name="sentence"/>), the result line, "exit code N".</summary>
    public static void AssertShort((int ExitCode, string Stdout, string Stderr) run, int exitCode, string sentence, string outcome = "failed")
    {
        var all = run.Stdout + run.Stderr;
        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(run.ExitCode == exitCode, $"exit {run.ExitCode}, expected {exitCode}\n{all}");
        Assert.True(lines.Length == 3, $"expected 3 lines on stderr:\n{run.Stderr}");
        Assert.Contains(sentence, lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{outcome}: rows copied", lines[1], StringComparison.Ordinal);
        Assert.Equal($"exit code {exitCode}", lines[2]);
        Assert.DoesNotContain("   at ", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", all, StringComparison.Ordinal);
    }
}
