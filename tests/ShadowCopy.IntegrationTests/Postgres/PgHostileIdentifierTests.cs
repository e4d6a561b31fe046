using System.Text;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>Quotes, spaces, unicode, reserved words and 63-byte names, end to end under load.</summary>
[Collection("postgres")]
public sealed class PgHostileIdentifierTests
{
    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Alter_HostileSchemaTableAndColumnNames_WorksUnderLoad(string capture)
    {
        var schemaName = $"sch \"we'ird\" ✓ {Guid.NewGuid().ToString("N")[..6]}";
        await using var schema = await PgSchemaScope.CreateAsync(schemaName);
        var table = To63Bytes("Tä\"ble; DROP TABLE x; -- ");
        Assert.Equal(63, Encoding.UTF8.GetByteCount(table));
        var layout = new PgTableLayout(
            schema.Name, table, "ctl \"twin\"",
            IdName: "select", EmailName: "Mixed Case", NName: "a\"b", DocName: "ünï ✓", AtName: "order", AmountName: "$1", BodyName: "'; --");
        await layout.CreateAsync(8_000);

        await using var load = new PgWriterLoad(layout, writers: 4);
        await load.StartAsync(8_000);
        await load.WaitForOperationsAsync(30, TimeSpan.FromSeconds(20));
        var options = PgAlterHarness.Options(schema.Name, table, "ADD COLUMN \"new \"\"col\"\" ✓\" text DEFAULT 'x''y', ALTER COLUMN \"a\"\"b\" TYPE bigint") with { MaxRowsPerSecond = 4000 };
        var result = await PgAlterHarness.RunAsync(options, capture: capture == "logical" ? PgAlterHarness.Logical : null);
        var atSwap = load.Operations;
        await load.WaitForOperationsAsync(atSwap + 100, TimeSpan.FromSeconds(20));
        await load.StopAsync();

        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.True(load.Errors == 0, string.Join(" | ", load.ErrorMessages));
        Assert.Equal(
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));
        var columns = await PgConcurrentAlterTests.ColumnsAsync(schema.Name, table);
        Assert.Equal("text", columns["new \"col\" ✓"]);
        Assert.Equal("bigint", columns["a\"b"]);
        await PgConcurrentAlterTests.AssertNoHelpersAsync(schema.Name, table);
        await PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, table);
    }

    private static string To63Bytes(string prefix)
    {
        var builder = new StringBuilder(prefix);
        while (Encoding.UTF8.GetByteCount(builder.ToString()) < 63)
        {
            builder.Append(Encoding.UTF8.GetByteCount(builder.ToString()) <= 61 ? 'ß' : 'z');
        }

        return builder.ToString();
    }
}
