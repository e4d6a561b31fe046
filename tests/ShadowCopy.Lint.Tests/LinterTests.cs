using ShadowCopy.Core.Sql;
using ShadowCopy.Lint;

namespace ShadowCopy.Lint.Tests;

public sealed class LinterTests
{
    [Fact]
    public void Lint_finding_carriesLineColumnLockEffectAndAlternative()
    {
        var finding = Assert.Single(LintHelper.Lint("SET lock_timeout = '1s';\n\n  ALTER TABLE t ALTER COLUMN id TYPE bigint;"));
        Assert.Equal(("change-column-type", 3, 17), (finding.RuleId, finding.Line, finding.Column));
        Assert.Equal(TableEffect.Rewrite, finding.Effect);
        Assert.Contains("ACCESS EXCLUSIVE", finding.Lock, StringComparison.Ordinal);
        Assert.Contains("backfill", finding.SafeAlternative, StringComparison.Ordinal);
        Assert.Equal(LintSeverity.Error, finding.Severity);
    }

    [Theory]
    [InlineData("10", true)]
    [InlineData("11", false)]
    [InlineData("17", false)]
    public void Lint_addColumnConstantDefault_rewritesOnlyBeforePostgres11(string version, bool rewrites)
    {
        var ids = LintHelper.Ids("ALTER TABLE t ADD COLUMN f boolean NOT NULL DEFAULT false;", "postgres", version);
        Assert.Equal(rewrites, ids.Contains("add-column-default-rewrite"));
    }

    [Theory]
    [InlineData("mysql", "8.0.11", "ALTER TABLE t ADD COLUMN c int, ALGORITHM=INPLACE, LOCK=NONE;", true)]
    [InlineData("mysql", "8.0.12", "ALTER TABLE t ADD COLUMN c int, ALGORITHM=INPLACE, LOCK=NONE;", false)]
    [InlineData("mysql", "8.0.28", "ALTER TABLE t ADD COLUMN c int AFTER a, ALGORITHM=INPLACE, LOCK=NONE;", true)]
    [InlineData("mysql", "8.0.29", "ALTER TABLE t ADD COLUMN c int AFTER a, ALGORITHM=INSTANT;", false)]
    [InlineData("mariadb", "10.3.1", "ALTER TABLE t ADD COLUMN c int, ALGORITHM=INPLACE, LOCK=NONE;", true)]
    [InlineData("mariadb", "10.3.2", "ALTER TABLE t ADD COLUMN c int, ALGORITHM=INSTANT;", false)]
    [InlineData("mariadb", "10.3.9", "ALTER TABLE t ADD COLUMN c int FIRST, ALGORITHM=INPLACE, LOCK=NONE;", true)]
    [InlineData("mariadb", "10.4.0", "ALTER TABLE t ADD COLUMN c int FIRST, ALGORITHM=INSTANT;", false)]
    public void Lint_addColumn_instantDependsOnEngineVersionAndPosition(string engine, string version, string sql, bool rebuilds)
    {
        Assert.Equal(rebuilds, LintHelper.Ids(sql, engine, version).Contains("add-column-not-instant"));
    }

    [Theory]
    [InlineData("mysql", "8.0.28", true)]
    [InlineData("mysql", "8.0.29", false)]
    [InlineData("mariadb", "10.3.30", true)]
    [InlineData("mariadb", "10.4.1", false)]
    public void Lint_dropColumn_instantDependsOnVersion(string engine, string version, bool rebuilds)
    {
        Assert.Equal(rebuilds, LintHelper.Ids("ALTER TABLE t DROP COLUMN c, ALGORITHM=INPLACE;", engine, version).Contains("drop-column-not-instant"));
    }

    [Theory]
    [InlineData("-- shadowcopy:ignore drop-table archived, see OPS-1\nDROP TABLE t;")]
    [InlineData("DROP TABLE t; -- nothing\n-- shadowcopy:ignore-file drop-table legacy cleanup file\nDROP TABLE u;")]
    [InlineData("/* shadowcopy:ignore drop-column,drop-table one-off cleanup */ DROP TABLE t;")]
    public void Lint_suppressionWithReason_removesFinding(string sql)
    {
        Assert.DoesNotContain("drop-table", LintHelper.Ids(sql));
    }

    [Fact]
    public void Lint_suppression_coversOnlyTheNextStatement()
    {
        var findings = LintHelper.Lint("-- shadowcopy:ignore drop-table ok\nDROP TABLE t;\nDROP TABLE u;");
        Assert.Equal(3, Assert.Single(findings, f => f.RuleId == "drop-table").Line);
    }

    [Fact]
    public void Lint_config_disablesRulesAndOverridesSeverity()
    {
        var config = LintConfig.Parse("""{ "disable": ["drop-column"], "severity": { "drop-table": "info" }, "failOn": "warning" }""");
        var findings = LintHelper.Lint("DROP TABLE t; ALTER TABLE u DROP COLUMN c;", config: config);
        Assert.DoesNotContain(findings, f => f.RuleId == "drop-column");
        Assert.Equal(LintSeverity.Info, Assert.Single(findings, f => f.RuleId == "drop-table").Severity);
        Assert.Equal(LintSeverity.Warning, config.FailOn);
    }

    [Fact]
    public void Lint_tableCreatedEarlierInFile_isNotTreatedAsLive()
    {
        var ids = LintHelper.Ids("CREATE TABLE n (id bigint); CREATE INDEX n_idx ON n (id); ALTER TABLE n ADD COLUMN x int NOT NULL; ALTER TABLE n ALTER COLUMN id TYPE int;");
        Assert.Empty(ids);
    }

    [Theory]
    [InlineData("SELECT $tag$ unterminated")]
    [InlineData("SELECT 'abc")]
    [InlineData("SELECT E'abc\\'")]
    [InlineData("/* open")]
    [InlineData("SELECT \"ident")]
    public void Lint_unterminatedConstruct_isReported(string sql)
    {
        Assert.Contains("unterminated-token", LintHelper.Ids(sql));
    }

    [Theory]
    [InlineData("SELECT $tag$ x $tag$;")]
    [InlineData("SELECT $$$$;")]
    [InlineData("SELECT E'a\\'b';")]
    [InlineData("/* a /* nested */ b */ SELECT 1;")]
    public void Lint_closedConstruct_isNotReported(string sql)
    {
        Assert.DoesNotContain("unterminated-token", LintHelper.Ids(sql));
    }

    [Fact]
    public void Lint_mysqlBackslashEscapedQuote_isNotUnterminated()
    {
        Assert.DoesNotContain("unterminated-token", LintHelper.Ids("SELECT 'it\\'s';", "mysql", "8.0.35"));
        Assert.Contains("unterminated-token", LintHelper.Ids("SELECT 'it\\';", "mysql", "8.0.35"));
    }

    [Fact]
    public void MySqlLexer_executableComment_bodyIsCode()
    {
        var tokens = MySqlLexer.Tokenize("/*!50100 DROP TABLE t */;");
        Assert.Contains(tokens, t => t.IsWord("DROP"));
        Assert.Contains("drop-table", LintHelper.Ids("/*!50100 DROP TABLE t */;", "mysql", "8.0.35"));
    }

    [Theory]
    [InlineData("8.0.29", 8, 0, 29)]
    [InlineData("10.11", 10, 11, 0)]
    [InlineData("15", 15, 0, 0)]
    public void ServerVersion_TryParse_readsParts(string text, int major, int minor, int patch)
    {
        Assert.True(ServerVersion.TryParse(text, out var version));
        Assert.Equal(new ServerVersion(major, minor, patch), version);
    }

    [Theory]
    [InlineData("")]
    [InlineData("8.x")]
    [InlineData("1.2.3.4")]
    [InlineData("-1")]
    public void ServerVersion_TryParse_rejectsGarbage(string text)
    {
        Assert.False(ServerVersion.TryParse(text, out _));
    }

    [Theory]
    [InlineData("ALTER TABLE t MODIFY c int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;", true)]
    [InlineData("ALTER TABLE t MODIFY c int NOT NULL DEFAULT 0, ALGORITHM=INPLACE, LOCK=NONE;", false)]
    [InlineData("ALTER TABLE t MODIFY c int NULL, ALGORITHM=INPLACE, LOCK=NONE;", false)]
    public void Lint_mysqlModifyToNotNull_reportsSetNotNull(string sql, bool reported)
    {
        Assert.Equal(reported, LintHelper.Ids(sql, "mysql", "8.0.35").Contains("set-not-null"));
    }

    [Theory]
    [InlineData("CREATE UNIQUE INDEX u ON t (email);", true)]
    [InlineData("CREATE INDEX i ON t (email);", false)]
    public void Lint_mysqlCreateUniqueIndex_reportsAddUniqueConstraint(string sql, bool reported)
    {
        Assert.Equal(reported, LintHelper.Ids(sql, "mariadb", "10.11").Contains("add-unique-constraint"));
    }

    [Fact]
    public void Lint_mariaDbVarcharWidening_isInfoFrom1043()
    {
        var finding = LintHelper.Lint("ALTER TABLE t MODIFY name varchar(100), ALGORITHM=INSTANT;", "mariadb", "10.11").Single(f => f.RuleId == "change-column-type");
        Assert.Equal(LintSeverity.Info, finding.Severity);
        Assert.Equal(LintSeverity.Warning, LintHelper.Lint("ALTER TABLE t MODIFY name varchar(100), ALGORITHM=INSTANT;", "mariadb", "10.3.7").Single(f => f.RuleId == "change-column-type").Severity);
    }
}
