using ShadowCopy.Lint;

namespace ShadowCopy.Lint.Tests.Rules;

/// <summary>The rules that judge a migration file as a whole; <c>shadowcopy migrate</c> refuses what they report.</summary>
public sealed class MigrationRulesTests
{
    [Theory]
    [InlineData("postgres", "ALTER TABLE users ADD COLUMN full_name text, DROP COLUMN name;")]
    [InlineData("postgres", "DROP TABLE legacy; CREATE TABLE fresh (id int);")]
    [InlineData("mariadb", "ALTER TABLE users DROP COLUMN name;\nALTER TABLE users ADD COLUMN full_name varchar(80);")]
    [InlineData("mysql", "ALTER TABLE orders ADD COLUMN note text; ALTER TABLE users DROP COLUMN age;")]
    public void ExpandAndContract_dropAndAddInOneFile_isAnError(string engine, string sql)
    {
        var finding = Assert.Single(LintHelper.Lint(sql, engine, engine == "postgres" ? "15" : "10.11"), f => f.RuleId == "expand-and-contract-together");
        Assert.Equal(LintSeverity.Error, finding.Severity);
        Assert.Contains("separate migrations", finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ALTER TABLE users DROP COLUMN name;")]
    [InlineData("ALTER TABLE users ADD COLUMN full_name text;")]
    [InlineData("CREATE TABLE tmp (id int); ALTER TABLE tmp ADD COLUMN n int; DROP TABLE tmp;")]
    [InlineData("CREATE INDEX CONCURRENTLY users_a ON users (a); DROP INDEX CONCURRENTLY users_b;")]
    public void ExpandAndContract_oneSideOnlyOrNewTables_isNotReported(string sql) =>
        Assert.DoesNotContain("expand-and-contract-together", LintHelper.Ids(sql));

    [Theory]
    [InlineData("ALTER TABLE users ADD COLUMN n int; UPDATE users SET n = 0;", "UPDATE")]
    [InlineData("DELETE FROM users WHERE id < 10; CREATE INDEX CONCURRENTLY users_n ON users (n);", "DELETE")]
    [InlineData("INSERT INTO users (id) VALUES (1); ALTER TABLE users ALTER COLUMN n TYPE bigint;", "INSERT")]
    [InlineData("TRUNCATE TABLE users; ALTER TABLE users ADD COLUMN n int;", "TRUNCATE")]
    public void DataAndSchema_inOneFile_isAnError(string sql, string verb)
    {
        var finding = Assert.Single(LintHelper.Lint(sql), f => f.RuleId == "data-and-schema-change");
        Assert.Equal(LintSeverity.Error, finding.Severity);
        Assert.StartsWith(verb, finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPDATE users SET n = 0 WHERE n IS NULL; DELETE FROM sessions WHERE expired;")]
    [InlineData("CREATE TABLE kinds (id int PRIMARY KEY); INSERT INTO public.kinds VALUES (1); CREATE INDEX kinds_x ON kinds (id);")]
    [InlineData("ALTER TABLE users ADD COLUMN n int; SELECT count(*) FROM users;")]
    public void DataAndSchema_oneKindOnlyOrFillingANewTable_isNotReported(string sql) =>
        Assert.DoesNotContain("data-and-schema-change", LintHelper.Ids(sql));

    [Theory]
    [InlineData("postgres", "BEGIN; ALTER TABLE t ADD COLUMN n int;", "never committed")]
    [InlineData("mariadb", "START TRANSACTION; UPDATE t SET n = 1 WHERE id = 1;", "never committed")]
    [InlineData("postgres", "ALTER TABLE t ADD COLUMN n int; COMMIT;", "without a BEGIN")]
    [InlineData("postgres", "BEGIN; SELECT 1; COMMIT; ROLLBACK;", "without a BEGIN")]
    public void TransactionBoundary_unclear_isAnError(string engine, string sql, string expected)
    {
        var finding = Assert.Single(LintHelper.Lint(sql, engine, engine == "postgres" ? "15" : "10.11"), f => f.RuleId == "unclear-transaction-boundary");
        Assert.Equal(LintSeverity.Error, finding.Severity);
        Assert.Contains(expected, finding.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BEGIN; ALTER TABLE t ADD COLUMN n int; COMMIT; BEGIN; SELECT 1; ROLLBACK;")]
    [InlineData("ALTER TABLE t ADD COLUMN n int;")]
    [InlineData("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$;")]
    public void TransactionBoundary_closedOrAbsent_isNotReported(string sql) =>
        Assert.DoesNotContain("unclear-transaction-boundary", LintHelper.Ids(sql));

    [Fact]
    public void TransactionBoundary_concurrentlyInsideATransaction_isStillReportedAsSuch() =>
        Assert.Contains("concurrently-in-transaction", LintHelper.Ids("BEGIN; CREATE INDEX CONCURRENTLY i ON t (a); COMMIT;"));
}
