namespace ShadowCopy.Cli;

/// <summary>The two DSN forms every command's --dsn help shows (issue 13), worded once.</summary>
internal static class DsnHelp
{
    public const string Forms = "postgres://user@host:port/database or mysql://user@host:port/database";

    public const string PasswordSources = "password from SHADOWCOPY_PASSWORD, PGPASSWORD/MYSQL_PWD or ~/.pgpass/~/.my.cnf; never on the command line";
}
