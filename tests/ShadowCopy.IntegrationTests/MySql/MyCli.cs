using System.Diagnostics;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>Starts the real executable (or another program) with the test server's password in the environment only.</summary>
internal static class MyCli
{
    public static string Dll => CliProcess.Dll;

    public static Process Start(params string[] args) => StartProcess("dotnet", [Dll, .. args]);

    public static Process StartProcess(string program, string[] args) =>
        CliProcess.Start(program, args, TestServers.Get("SHADOWCOPY_MY_PASSWORD"), "MYSQL_PWD");
}
