using System.Diagnostics;
using DotNet.Testcontainers.Containers;
using Testcontainers.MySql;
using Testcontainers.PostgreSql;

namespace ShadowCopy.Containers;

/// <summary>
/// <c>shadowcopy-containers IMAGE -- COMMAND…</c>: starts a throwaway server in Docker with Testcontainers
/// (mysql:8.0, mysql:8.4, postgres:16, postgres:17…), writes the env file the integration tests read
/// (docs/servers.md keys), runs COMMAND with SHADOWCOPY_ENV_FILE pointing at it, removes the container and
/// returns COMMAND's exit code. Used by <c>scripts/test --containers</c>; needs a Docker engine.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var separator = Array.IndexOf(args, "--");
        if (args.Length < 3 || separator != 1)
        {
            await Console.Error.WriteLineAsync("usage: shadowcopy-containers IMAGE -- COMMAND [ARGS…]   (IMAGE: mysql:8.0, mysql:8.4, postgres:16, postgres:17, …)");
            return 2;
        }

        var image = args[0];
        TestServer container;
        try
        {
            container = ContainerFor(image);
        }
        catch (DotNet.Testcontainers.Builders.DockerUnavailableException error)
        {
            await Console.Error.WriteLineAsync($"containers: no Docker engine here ({error.Message.Split('\n')[0]}); --containers cannot run on this machine.");
            return 2;
        }

        await using (container.Server.ConfigureAwait(false))
        {
            await Console.Error.WriteLineAsync($"containers: starting {image}");
            await container.Server.StartAsync().ConfigureAwait(false);
            var envFile = Path.Combine(Path.GetTempPath(), $"shadowcopy-containers-{Guid.NewGuid():N}.env");
            await File.WriteAllLinesAsync(envFile, container.Env()).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(envFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            try
            {
                return await RunAsync(args[2], args[3..], envFile).ConfigureAwait(false);
            }
            finally
            {
                File.Delete(envFile);
            }
        }
    }

    private static TestServer ContainerFor(string image)
    {
        if (image.StartsWith("mysql:", StringComparison.Ordinal))
        {
            // MySQL 8 defaults already give what binlog capture needs (log_bin, ROW, FULL images, server id 1);
            // root has the replication grants the preflight checks.
            var mysql = new MySqlBuilder(image)
                .WithUsername("root")
                .WithPassword("sc-containers")
                .WithDatabase("shadowcopy_test")
                .WithCommand("--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci", "--innodb-flush-log-at-trx-commit=2")
                .Build();
            return new TestServer(mysql, () =>
            [
                $"SHADOWCOPY_MY_HOST={mysql.Hostname}",
                $"SHADOWCOPY_MY_PORT={mysql.GetMappedPublicPort(MySqlBuilder.MySqlPort)}",
                "SHADOWCOPY_MY_USER=root",
                "SHADOWCOPY_MY_PASSWORD=sc-containers",
                "SHADOWCOPY_MY_DATABASE=shadowcopy_test",
            ]);
        }

        if (image.StartsWith("postgres:", StringComparison.Ordinal))
        {
            var postgres = new PostgreSqlBuilder(image)
                .WithUsername("shadowcopy")
                .WithPassword("sc-containers")
                .WithDatabase("postgres")
                .WithCommand("-c", "wal_level=logical", "-c", "max_replication_slots=16", "-c", "max_wal_senders=16", "-c", "max_connections=200")
                .Build();
            return new TestServer(postgres, () =>
            [
                $"SHADOWCOPY_PG_HOST={postgres.Hostname}",
                $"SHADOWCOPY_PG_PORT={postgres.GetMappedPublicPort(PostgreSqlBuilder.PostgreSqlPort)}",
                "SHADOWCOPY_PG_USER=shadowcopy",
                "SHADOWCOPY_PG_PASSWORD=sc-containers",
                "SHADOWCOPY_PG_DATABASE=postgres",
            ]);
        }

        throw new ArgumentException($"unsupported image '{image}': use mysql:<version> or postgres:<version>");
    }

    private static async Task<int> RunAsync(string command, string[] arguments, string envFile)
    {
        var start = new ProcessStartInfo(command) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SHADOWCOPY_ENV_FILE"] = envFile;
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {command}");
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }

    private sealed record TestServer(IContainer Server, Func<string[]> Env);
}
