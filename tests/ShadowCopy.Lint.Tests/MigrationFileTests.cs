using ShadowCopy.Lint;
using ShadowCopy.Lint.Migration;

namespace ShadowCopy.Lint.Tests;

/// <summary>How <c>shadowcopy migrate</c> reads a file: the lint parser's statements, with the table and the parts each method needs.</summary>
public sealed class MigrationFileTests
{
    [Fact]
    public void Split_numbersStatementsAcrossFiles_withLinesAndTextWithoutTerminator()
    {
        var statements = MigrationFile.Split([("a.sql", "-- expand\nALTER TABLE app.\"Orders\" ADD COLUMN note text;\n\nCREATE INDEX CONCURRENTLY o_n ON app.\"Orders\" (n);"), ("b.sql", "SET lock_timeout = '2s';")], LintDialect.Postgres);

        Assert.Equal([1, 2, 3], statements.Select(s => s.Number));
        Assert.Equal([2, 4, 1], statements.Select(s => s.Line));
        Assert.Equal("ALTER TABLE app.\"Orders\" ADD COLUMN note text", statements[0].Text);
        Assert.Equal(("app", "Orders", "ADD COLUMN note text"), (statements[0].TableSchema, statements[0].TableName, statements[0].AlterClauses));
        Assert.True(statements[1].Concurrently);
        Assert.Equal("Orders", statements[1].TableName);
        Assert.True(statements[2].SetsTimeout);
    }

    [Theory]
    [InlineData("UPDATE users SET email_lower = lower(email) WHERE email_lower IS NULL", "email_lower = lower(email)", "email_lower IS NULL")]
    [InlineData("UPDATE ONLY users SET n = (SELECT max(x) FROM t WHERE t.id = users.id)", "n = (SELECT max(x) FROM t WHERE t.id = users.id)", null)]
    public void Split_batchableUpdate_hasSetAndWhere(string sql, string set, string? where)
    {
        var statement = Assert.Single(MigrationFile.Split([("m.sql", sql)], LintDialect.Postgres));
        Assert.Equal((set, where), (statement.UpdateSet, statement.UpdateWhere));
        Assert.Equal("users", statement.TableName);
    }

    [Theory]
    [InlineData("UPDATE users u SET n = 1")]
    [InlineData("UPDATE users SET n = o.n FROM other o WHERE o.id = users.id")]
    [InlineData("UPDATE users SET n = 1 WHERE id < 10 RETURNING id")]
    [InlineData("UPDATE users SET n = 1 ORDER BY id LIMIT 10")]
    [InlineData("UPDATE users, other SET users.n = other.n WHERE users.id = other.id")]
    public void Split_updateMigrateCannotBatch_hasNoSet(string sql) =>
        Assert.Null(Assert.Single(MigrationFile.Split([("m.sql", sql)], LintDialect.MariaDb)).UpdateSet);

    [Fact]
    public void Split_mysqlNames_keepTheirCaseAndLoseTheirBackticks()
    {
        var statement = Assert.Single(MigrationFile.Split([("m.sql", "ALTER TABLE `shop`.Orders MODIFY n BIGINT NOT NULL;")], LintDialect.MariaDb));
        Assert.Equal(("shop", "Orders", "MODIFY n BIGINT NOT NULL"), (statement.TableSchema, statement.TableName, statement.AlterClauses));
    }
}
