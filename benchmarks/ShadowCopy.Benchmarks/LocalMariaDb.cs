using System.Globalization;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.Benchmarks;

/// <summary>The local MariaDB of scripts/servers (its env file), for the benchmarks that need a server.</summary>
internal static class LocalMariaDb
{
    public static MySqlSettings Settings()
    {
        var path = Environment.GetEnvironmentVariable("SHADOWCOPY_ENV_FILE") ?? Path.Combine(RepoRoot(), ".servers", "env");
        var values = File.ReadAllLines(path)
            .Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        return new MySqlSettings
        {
            Host = values["SHADOWCOPY_MY_HOST"],
            Port = int.Parse(values["SHADOWCOPY_MY_PORT"], CultureInfo.InvariantCulture),
            User = values["SHADOWCOPY_MY_USER"],
            Password = values["SHADOWCOPY_MY_PASSWORD"],
            Database = values["SHADOWCOPY_MY_DATABASE"],
            SslMode = MySqlSslMode.Disabled,
        };
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ShadowCopy.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Set SHADOWCOPY_ENV_FILE: the repository root was not found above " + AppContext.BaseDirectory);
    }
}
