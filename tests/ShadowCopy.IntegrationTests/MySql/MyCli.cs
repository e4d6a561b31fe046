using System.Diagnostics;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>Starts the real executable (or another program) with the test server's password in the environment only.</summary>
internal static class MyCli
{
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "shadowcopy.dll");

    public static Process Start(params string[] args) => StartProcess("dotnet", [Dll, .. args]);

    public static Process StartProcess(string program, string[] args)
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

        info.Environment["SHADOWCOPY_PASSWORD"] = TestServers.Get("SHADOWCOPY_MY_PASSWORD");
        info.Environment.Remove("MYSQL_PWD");
        return Process.Start(info) ?? throw new InvalidOperationException("could not start the CLI");
    }
}
