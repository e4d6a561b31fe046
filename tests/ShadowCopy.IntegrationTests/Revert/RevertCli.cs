using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.IntegrationTests.MySql;

namespace ShadowCopy.IntegrationTests.Revert;

/// <summary>Runs revert / finish as the real executable: a process of its own, after the alter's process is gone.</summary>
internal static class RevertCli
{
    public static async Task<(int Exit, string Output)> PgAsync(params string[] args) =>
        await RunAsync(CliProcess.Start("dotnet", [CliProcess.Dll, .. args, "--dsn", PgServer.Dsn(), "--journal", "none"], PgServer.Password, "PGPASSWORD"));

    public static async Task<(int Exit, string Output)> MyAsync(params string[] args) =>
        await RunAsync(MyCli.Start([.. args, "--dsn", MyServer.Dsn, "--journal", "none"]));

    private static async Task<(int Exit, string Output)> RunAsync(System.Diagnostics.Process process)
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
