namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>
/// Connection settings of the throwaway servers that scripts/servers starts, read from its env
/// file (SHADOWCOPY_ENV_FILE, else &lt;repo&gt;/.servers/env). Missing settings fail the test with
/// what to do: integration tests never skip.
/// </summary>
internal static class TestServers
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Settings = new(Load);

    public static string Get(string key) =>
        Settings.Value.TryGetValue(key, out var value)
            ? value
            : throw new InvalidOperationException($"{key} missing from the servers env file; run scripts/servers start (or scripts/test).");

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ShadowCopy.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (ShadowCopy.sln) above " + AppContext.BaseDirectory);
        }
    }

    private static IReadOnlyDictionary<string, string> Load()
    {
        var path = Environment.GetEnvironmentVariable("SHADOWCOPY_ENV_FILE") ?? Path.Combine(RepoRoot, ".servers", "env");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Servers env file {path} not found: the integration tests need the local servers. Run scripts/servers start (scripts/test does it for you).");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(path))
        {
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            var eq = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result[trimmed[..eq]] = trimmed[(eq + 1)..];
            }
        }

        return result;
    }
}
