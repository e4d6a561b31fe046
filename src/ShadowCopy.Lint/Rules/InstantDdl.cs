namespace ShadowCopy.Lint.Rules;

/// <summary>
/// Which column operations are ALGORITHM=INSTANT, by server and version. MySQL: instant ADD
/// COLUMN as the last column from 8.0.12, anywhere and instant DROP COLUMN from 8.0.29 (MySQL
/// 8.0 reference manual, "Online DDL Operations", column operations). MariaDB: instant ADD as
/// the last column from 10.3.2, anywhere plus instant DROP and reorder from 10.4 (MariaDB KB,
/// "InnoDB Online DDL Operations with the INSTANT Alter Algorithm").
/// </summary>
internal static class InstantDdl
{
    public static bool AddColumnAnywhere(LintTarget target) =>
        target.Dialect == LintDialect.MySql ? target.Version.AtLeast(8, 0, 29) : target.Version.AtLeast(10, 4);

    public static bool AddColumnLast(LintTarget target) =>
        target.Dialect == LintDialect.MySql ? target.Version.AtLeast(8, 0, 12) : target.Version.AtLeast(10, 3, 2);

    public static bool DropColumn(LintTarget target) => AddColumnAnywhere(target);

    public static string AddAnywhereSince(LintTarget target) => target.Dialect == LintDialect.MySql ? "MySQL 8.0.29" : "MariaDB 10.4";

    public static string AddLastSince(LintTarget target) => target.Dialect == LintDialect.MySql ? "MySQL 8.0.12" : "MariaDB 10.3.2";
}
