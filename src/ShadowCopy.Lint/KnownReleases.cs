using System.Globalization;

namespace ShadowCopy.Lint;

/// <summary>
/// Reads a --target-version. A version without a patch level names a release series: someone who
/// writes 8.0 means today's 8.0, not 8.0.0 (never a GA release, and older than every 8.0 threshold the
/// rules know, such as instant ADD COLUMN from 8.0.12). So a series resolves to the newest release of
/// it in the table below, and the output says which exact version was assumed.
/// </summary>
public static class KnownReleases
{
    // The newest release of each supported series as of early 2025 (MySQL 8.0.41/8.4.4/9.2.0 of
    // January 2025, MariaDB's February 2025 maintenance releases, PostgreSQL's February 2025 minor
    // releases). Every threshold the rules compare against lies below these.
    private static readonly ServerVersion[] MySql = [new(5, 7, 44), new(8, 0, 41), new(8, 4, 4), new(9, 2, 0)];
    private static readonly ServerVersion[] MariaDb = [new(10, 5, 28), new(10, 6, 21), new(10, 11, 11), new(11, 4, 5)];

    // PostgreSQL numbers releases major.minor since 10; ServerVersion holds them as major.minor.0.
    private static readonly ServerVersion[] Postgres = [new(13, 20, 0), new(14, 17, 0), new(15, 12, 0), new(16, 8, 0), new(17, 4, 0)];

    /// <summary>Parses <paramref name="text"/> for <paramref name="dialect"/>; <paramref name="assumption"/> is set when a series was resolved to a release.</summary>
    public static bool TryResolve(LintDialect dialect, string text, out ServerVersion version, out string? assumption)
    {
        assumption = null;
        if (!ServerVersion.TryParse(text, out version))
        {
            return false;
        }

        var given = text.Trim();
        var parts = given.Split('.').Length;
        // A full version names a release: 8.0.29, 10.11.6; for PostgreSQL 15.4.
        var fullParts = dialect == LintDialect.Postgres ? 2 : 3;
        if (parts >= fullParts)
        {
            return true;
        }

        var series = version;
        var newest = Releases(dialect)
            .Where(r => r.Major == series.Major && (parts < 2 || r.Minor == series.Minor))
            .OrderDescending()
            .FirstOrDefault();
        if (newest == default)
        {
            assumption = string.Create(CultureInfo.InvariantCulture, $"{given} is not a release series the rules know; assumed {Format(dialect, version)}");
            return true;
        }

        version = newest;
        assumption = string.Create(CultureInfo.InvariantCulture, $"{given} read as {Format(dialect, newest)}, the newest {given} release the rules know");
        return true;
    }

    /// <summary>PostgreSQL versions have two parts (15.12); MySQL and MariaDB three (8.0.41).</summary>
    public static string Format(LintDialect dialect, ServerVersion version) =>
        dialect == LintDialect.Postgres
            ? string.Create(CultureInfo.InvariantCulture, $"{version.Major}.{version.Minor}")
            : version.ToString();

    private static ServerVersion[] Releases(LintDialect dialect) => dialect switch
    {
        LintDialect.Postgres => Postgres,
        LintDialect.MySql => MySql,
        _ => MariaDb,
    };
}
