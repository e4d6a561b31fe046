using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Cli.Commands.Backfill;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Cli.Tests.Commands;

/// <summary>
/// migrate builds its online-copy and backfill steps with alter's and backfill's option readers: every
/// option those read must be registered on migrate too, or a default-less read fails mid-file (it did,
/// once, for --cut-over-verify-budget).
/// </summary>
public sealed class MigrateCommandOptionsTests
{
    [Fact]
    public void CopyAndBatchOptions_readFromAMigrateCommandLine_withDefaultsOnly()
    {
        var parse = CliHarness.Parse("migrate", "--dsn", "postgres://app@db1/shop", "0042.sql");
        var table = new TableName("public", "orders");

        var copy = AlterCommand.CopyOptions(parse, table, "ALTER COLUMN n TYPE bigint", execute: true, resume: false);
        var batches = BackfillCommand.BatchOptions(parse, table, "n2 = n", null, execute: true, resume: false);

        Assert.Equal(TimeSpan.FromMilliseconds(500), copy.CutOverVerifyBudget);
        Assert.Equal(table, batches.Table);
        Assert.Empty(parse.Errors);
    }
}
