using System.Diagnostics;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.IntegrationTests.MySql;

namespace ShadowCopy.IntegrationTests.Revert;

/// <summary>Runs revert / finish as the real executable: a process of its own, after the alter's process is gone.</summary>
internal static class RevertCli
{
    public static Process StartPg(params string[] args) =>
        CliProcess.Start("dotnet", [CliProcess.Dll, .. args, "--dsn", PgServer.Dsn(), "--journal", "none"], PgServer.Password, "PGPASSWORD");

    public static Process StartMy(params string[] args) => MyCli.Start([.. args, "--dsn", MyServer.Dsn, "--journal", "none"]);

    public static async Task<(int Exit, string Output)> PgAsync(params string[] args) => await RunAsync(StartPg(args));

    public static async Task<(int Exit, string Output)> MyAsync(params string[] args) => await RunAsync(StartMy(args));

    /// <summary>Waits until <paramref name="reached"/> holds while the process still runs, then SIGKILLs it (no cleanup, no last word).</summary>
    public static async Task KillWhenAsync(Process process, Func<Task<bool>> reached, string what)
    {
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (!await reached())
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    Assert.Fail($"{what}: {(process.HasExited ? $"exit {process.ExitCode}: {await stdout}{await stderr}" : "timeout")}");
                }

                await Task.Delay(50);
            }

            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds (at most 60 s).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, what);
            await Task.Delay(50);
        }
    }

    private static async Task<(int Exit, string Output)> RunAsync(Process process)
    {
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
