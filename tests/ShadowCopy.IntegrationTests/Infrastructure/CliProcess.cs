using System.Diagnostics;

namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>
/// Starts the real executable (or a program wrapping it) with output redirected and the password
/// only in SHADOWCOPY_PASSWORD: never on the command line, and the driver's own variable removed.
/// </summary>
internal static class CliProcess
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "shadowcopy.dll");

    /// <param name="program">The program (dotnet, bash…).</param>
    /// <param name="args">Its arguments, passed one by one (no shell quoting).</param>
    /// <param name="password">Put in SHADOWCOPY_PASSWORD.</param>
    /// <param name="driverPasswordVariable">PGPASSWORD or MYSQL_PWD: removed, so only SHADOWCOPY_PASSWORD can supply it.</param>
    /// <param name="environment">Further variables, set last.</param>
    public static Process Start(string program, IEnumerable<string> args, string password, string driverPasswordVariable, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["SHADOWCOPY_PASSWORD"] = password;
        info.Environment.Remove(driverPasswordVariable);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}");
    }

    /// <summary>
    /// SIGKILLs a started run once <paramref name="progress"/> (read from the server) reaches
    /// <paramref name="threshold"/>: no cleanup, no last checkpoint. Fails the test if the run ends
    /// first or takes longer than <paramref name="timeout"/>. Returns the progress seen at the kill.
    /// </summary>
    public static async Task<long> KillWhenAsync(Process process, Func<Task<long>> progress, long threshold, TimeSpan timeout, string what)
    {
        var drain = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
        var watch = Stopwatch.StartNew();
        long seen = 0;
        while (seen < threshold)
        {
            Assert.True(!process.HasExited && watch.Elapsed < timeout, $"{what} before the kill: " + (process.HasExited ? string.Concat(await drain) : "timeout"));
            await Task.Delay(50);
            seen = await progress();
        }

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        await drain;
        return seen;
    }
}
