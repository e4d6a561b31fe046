namespace ShadowCopy.Lint;

/// <summary>The engine and version the migration will run on; rules key their verdicts on both.</summary>
public sealed record LintTarget(LintDialect Dialect, ServerVersion Version)
{
    /// <summary>Defaults are the oldest versions still supported upstream, so a missing --target-version errs on the cautious side.</summary>
    public static ServerVersion DefaultVersion(LintDialect dialect) => dialect switch
    {
        LintDialect.Postgres => new ServerVersion(13, 0, 0),
        LintDialect.MySql => new ServerVersion(8, 0, 0),
        _ => new ServerVersion(10, 5, 0),
    };

    public bool IsPostgres => Dialect == LintDialect.Postgres;

    public bool IsMySqlFamily => Dialect != LintDialect.Postgres;

    public static bool TryParseDialect(string? text, out LintDialect dialect)
    {
        switch (text?.Trim().ToUpperInvariant())
        {
            case "POSTGRES" or "POSTGRESQL" or "PG":
                dialect = LintDialect.Postgres;
                return true;
            case "MYSQL":
                dialect = LintDialect.MySql;
                return true;
            case "MARIADB":
                dialect = LintDialect.MariaDb;
                return true;
            default:
                dialect = default;
                return false;
        }
    }
}
