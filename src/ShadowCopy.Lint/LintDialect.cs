namespace ShadowCopy.Lint;

/// <summary>The server family a migration file is written for; MySQL and MariaDB differ in which DDL is instant.</summary>
public enum LintDialect
{
    Postgres,
    MySql,
    MariaDb,
}
