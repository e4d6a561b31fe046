using ShadowCopy.Cli.Commands.Backfill;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Cli.Tests.Commands;

/// <summary>
/// --batch-time is how long a batch may hold the row locks writers queue behind; without it each engine
/// takes its own default (MySQL/MariaDB 100 ms, PostgreSQL 200 ms: docs/benchmarks.md, issue 19), for
/// backfill and for migrate's backfill steps alike.
/// </summary>
public sealed class BackfillBatchTimeTests
{
    private static readonly TableName Table = new("app", "orders");

    [Theory]
    [InlineData("backfill", "mysql://app@db1/app", 100)]
    [InlineData("backfill", "postgres://app@db1/shop", 200)]
    [InlineData("migrate", "mysql://app@db1/app", 100)]
    [InlineData("migrate", "postgresql://app@db1/shop", 200)]
    public void WithoutBatchTime_theEnginesDefault(string command, string dsn, int milliseconds)
    {
        var parse = command == "backfill"
            ? CliHarness.Parse("backfill", "--dsn", dsn, "--table", "orders", "--set", "n2 = n")
            : CliHarness.Parse("migrate", "--dsn", dsn, "0042.sql");

        var batches = BackfillCommand.BatchOptions(parse, Table, "n2 = n", null, execute: false, resume: false);

        Assert.Empty(parse.Errors);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), batches.Run.ChunkTime);
    }

    [Theory]
    [InlineData("mysql://app@db1/app")]
    [InlineData("postgres://app@db1/shop")]
    public void AGivenBatchTime_wins(string dsn)
    {
        var parse = CliHarness.Parse("backfill", "--dsn", dsn, "--table", "orders", "--set", "n2 = n", "--batch-time", "350ms");

        Assert.Equal(TimeSpan.FromMilliseconds(350), BackfillCommand.BatchOptions(parse, Table, "n2 = n", null, execute: false, resume: false).Run.ChunkTime);
    }

    [Fact]
    public void ABadBatchTime_isOneSentence()
    {
        var parse = CliHarness.Parse("backfill", "--dsn", "mysql://app@db1/app", "--table", "orders", "--set", "n2 = n", "--batch-time", "soon");

        var error = Assert.Throws<ArgumentException>(() => BackfillCommand.BatchOptions(parse, Table, "n2 = n", null, execute: false, resume: false));
        Assert.Equal("--batch-time must be a positive duration like 1500ms or 2s, not 'soon'", error.Message);
    }
}
