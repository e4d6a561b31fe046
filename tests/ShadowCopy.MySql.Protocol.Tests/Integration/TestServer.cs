using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Protocol.Tests.Integration;

/// <summary>Locates the throwaway MariaDB started by scripts/servers; fails loudly when it is not there.</summary>
internal static class TestServer
{
    private static readonly Lazy<Dictionary<string, string>> Environment = new(LoadEnvironment);

    public static MySqlSettings Settings => new()
    {
        Host = Get("SHADOWCOPY_MY_HOST"),
        Port = int.Parse(Get("SHADOWCOPY_MY_PORT"), System.Globalization.CultureInfo.InvariantCulture),
        User = Get("SHADOWCOPY_MY_USER"),
        Password = Get("SHADOWCOPY_MY_PASSWORD"),
        Database = Get("SHADOWCOPY_MY_DATABASE"),
        SslMode = MySqlSslMode.Preferred,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    public static string? UnixSocket => Environment.Value.GetValueOrDefault("SHADOWCOPY_MY_SOCKET");

    /// <summary>A SQL connection for setup and expected values (MySqlConnector).</summary>
    public static async Task<TestSql> OpenAsync(MySqlSettings? settings = null)
    {
        settings ??= Settings;
        try
        {
            return await TestSql.OpenAsync(settings);
        }
        catch (MySqlConnector.MySqlException ex)
        {
            throw new InvalidOperationException($"MariaDB is not reachable at {settings}: run scripts/servers start. ({ex.Message})", ex);
        }
    }

    /// <summary>A replica server id no other test (or the server itself, id 1) uses.</summary>
    public static uint NewReplicaServerId() => 0x5C0F_0000u + (uint)Random.Shared.Next(1_000_000);

    public static string UniqueName(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(60, prefix.Length + 33)];

    private static string Get(string key) =>
        Environment.Value.TryGetValue(key, out var value) ? value : throw new InvalidOperationException($"{key} missing from the servers env file: run scripts/servers start.");

    private static Dictionary<string, string> LoadEnvironment()
    {
        var path = System.Environment.GetEnvironmentVariable("SHADOWCOPY_ENV_FILE");
        if (string.IsNullOrEmpty(path))
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ShadowCopy.sln")))
            {
                directory = directory.Parent;
            }

            // With --artifacts-path the assembly lives outside the repo; fall back to the project directory recorded at build time.
            directory ??= FindFrom(SourceDirectory());
            if (directory is null)
            {
                throw new InvalidOperationException("Cannot find ShadowCopy.sln above the test assembly and SHADOWCOPY_ENV_FILE is not set: run scripts/servers start.");
            }

            path = Path.Combine(directory.FullName, ".servers", "env");
        }

        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Servers env file '{path}' not found: run scripts/servers start.");
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[trimmed[..equals]] = trimmed[(equals + 1)..];
            }
        }

        return values;
    }

    private static DirectoryInfo? SourceDirectory()
    {
        foreach (var attribute in typeof(TestServer).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false))
        {
            if (attribute is System.Reflection.AssemblyMetadataAttribute { Key: "ShadowCopySourceDirectory", Value: { } value })
            {
                return new DirectoryInfo(value);
            }
        }

        return null;
    }

    private static DirectoryInfo? FindFrom(DirectoryInfo? directory)
    {
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ShadowCopy.sln")))
        {
            directory = directory.Parent;
        }

        return directory;
    }
}
