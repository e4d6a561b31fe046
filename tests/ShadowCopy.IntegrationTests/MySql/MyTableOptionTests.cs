using System.Text;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql;
using Xunit.Abstractions;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// Issue 16, point 4 on MariaDB: table options in the ALTER reach the final table, IGNORED indexes and
/// indexes over generated columns are carried, and 64-character hostile names get valid, distinct
/// helper objects; each in both capture modes with writers and a control table.
/// </summary>
[Collection("mysql")]
public sealed class MyTableOptionTests
{
    private readonly ITestOutputHelper _output;

    public MyTableOptionTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task TableOptionsAndIgnoredAndGeneratedColumnIndexes_reachTheNewTable(CaptureMode capture)
    {
        var name = UniqueName("opt");
        var layout = new MyTableLayout(name);
        try
        {
            // ENGINE=InnoDB (a rebuild), ROW_FORMAT, the default character set and collation (for new
            // columns), COMMENT, an IGNORED index and an index over a virtual column (MariaDB's functional index).
            var alter = "ENGINE = InnoDB, ROW_FORMAT = COMPACT, DEFAULT CHARSET = latin1 COLLATE = latin1_general_cs, COMMENT = 'it''s the new ✓ table', "
                + "ADD COLUMN note VARCHAR(10) NULL, ADD INDEX idx_amount_ignored (amount) IGNORED, "
                + "ADD COLUMN email_lower VARCHAR(100) CHARACTER SET utf8mb4 AS (LOWER(email)) VIRTUAL, ADD INDEX idx_email_lower (email_lower)";
            var run = await MyLoadRun.ExecuteAsync(layout, 10_000, MyAlterHarness.Options(name, alter), capture);
            _output.WriteLine($"{capture}: {run}");
            run.AssertSucceeded(await layout.DiffAsync());
            var control = await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control));
            var table = await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table));
            Assert.True(control == table, $"checksums differ: {control} vs {table}\n{await layout.DiffAsync()}");

            Assert.Equal(
                "InnoDB|Compact|latin1_general_cs|it's the new ✓ table",
                await ScalarAsync($"SELECT CONCAT_WS('|', ENGINE, ROW_FORMAT, TABLE_COLLATION, TABLE_COMMENT) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)}"));
            Assert.Equal("latin1_general_cs", await ScalarAsync($"SELECT COLLATION_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 'note'"));
            Assert.Equal("YES", await ScalarAsync($"SELECT IGNORED FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND INDEX_NAME = 'idx_amount_ignored'"));
            Assert.Equal("NO", await ScalarAsync($"SELECT IGNORED FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND INDEX_NAME = 'idx_email_lower'"));
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM {layout.Table} WHERE NOT (email_lower <=> LOWER(email))"));
            Assert.Equal(new[] { $"_{name}_old", name, name + "_ctl" }.Order(StringComparer.Ordinal), (await ObjectsAsync(name)).Order(StringComparer.Ordinal));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    /// <summary>
    /// A 64-character table name (the limit) with a backquote, double and single quotes, spaces and
    /// non-ASCII letters, and a key column named as badly: every helper (shadow, change log, triggers,
    /// conversion function, go token, old table) needs a shortened, hashed, valid name.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task HostileNamesAtTheIdentifierLimit_workUnderWriters(CaptureMode capture)
    {
        var name = To64Characters($"Tä`b\"le' {Guid.NewGuid().ToString("N")[..6]} ✓ ");
        Assert.Equal(64, name.Length);
        var control = $"ctl `{Guid.NewGuid().ToString("N")[..6]}` ✓";
        var oldName = HelperObjectNames.Derive(name, "old", 64);
        var before = await AllObjectsAsync();
        try
        {
            await MyKeyTypeTests.RunWithWritersAsync(
                name,
                control,
                [$"{Q("k`e\"y ✓")} VARCHAR(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"],
                ["k`e\"y ✓"],
                ["CONCAT(ELT(1 + g % 3, 'É', 'e', 'Z'), '`\"''', g)"],
                "ADD COLUMN `n``ew \"c\" ✓` VARCHAR(10) DEFAULT 'x''y', MODIFY v BIGINT NOT NULL",
                capture,
                $"hostile {capture}",
                _output);

            var after = await AllObjectsAsync();
            Assert.Equal(
                new[] { $"table {name}", $"table {control}", $"table {oldName}" }.Order(StringComparer.Ordinal),
                after.Except(before).Order(StringComparer.Ordinal));
            Assert.Equal("x'y", await ScalarAsync($"SELECT MIN(`n``ew \"c\" ✓`) FROM {Q(Database)}.{Q(name)}"));
        }
        finally
        {
            foreach (var table in new[] { name, control, oldName })
            {
                await ExecAsync($"DROP TABLE IF EXISTS {Q(Database)}.{Q(table)}");
            }
        }
    }

    private static async Task<List<string>> AllObjectsAsync() =>
    [
        .. await ColumnAsync($"SELECT CONCAT('table ', TABLE_NAME) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {Lit(Database)}"),
        .. await ColumnAsync($"SELECT CONCAT('trigger ', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {Lit(Database)}"),
        .. await ColumnAsync($"SELECT CONCAT('routine ', ROUTINE_NAME) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = {Lit(Database)}"),
    ];

    private static string To64Characters(string prefix)
    {
        var builder = new StringBuilder(prefix);
        while (builder.Length < 64)
        {
            builder.Append('ß');
        }

        return builder.ToString();
    }
}
