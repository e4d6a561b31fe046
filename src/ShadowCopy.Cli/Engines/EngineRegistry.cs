namespace ShadowCopy.Cli.Engines;

/// <summary>The one place that maps a DSN to its engine, by its scheme.</summary>
internal static class EngineRegistry
{
    private static readonly Dictionary<string, IEngine> BySchemes = new Dictionary<string, IEngine>(StringComparer.Ordinal)
    {
        ["postgres"] = PostgresEngine.Instance,
        ["postgresql"] = PostgresEngine.Instance,
        ["mysql"] = MySqlEngine.Instance,
    };

    /// <summary>
    /// The engine of <paramref name="dsn"/>; a <see cref="FormatException"/> for any other form, which
    /// every command reports as a usage error (exit 2).
    /// </summary>
    public static IEngine For(string dsn) =>
        TryFor(dsn) ?? throw new FormatException("--dsn must start with postgres:// or mysql:// (e.g. postgres://app@db1:5432/shop).");

    public static IEngine? TryFor(string dsn)
    {
        var colon = dsn.IndexOf("://", StringComparison.Ordinal);
        return colon > 0 && BySchemes.TryGetValue(dsn[..colon], out var engine) ? engine : null;
    }
}
