using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql.Capture.Binlog;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Preflight;

namespace ShadowCopy.MySql.Tests;

public sealed class MySqlStatementsTests
{
    [Fact]
    public void Range_over_a_composite_key_expands_to_or_of_and_comparisons()
    {
        var sql = MySqlStatements.Range(["a", "b"], ["1", "'x'"], ["5", "'y'"]);
        Assert.Equal("((`a` > 1) OR (`a` = 1 AND `b` > 'x')) AND ((`a` < 5) OR (`a` = 5 AND `b` <= 'y'))", sql);
    }

    [Fact]
    public void Checksum_hashes_text_bytes_when_no_character_set_changes()
    {
        var columns = new List<MyColumnMap>
        {
            new(Column("id", "int(11)", null), Column("id", "bigint(20)", null)),
            new(Column("name", "varchar(10)", "utf8mb4_general_ci"), Column("name", "varchar(20)", "utf8mb4_general_ci")),
            new(Column("doc", "longtext", "utf8mb4_bin"), Column("doc", "longtext", "utf8mb4_bin")),
        };
        var source = MySqlStatements.Checksum("`s`", "`PRIMARY`", columns, shadowSide: false, "1 = 1", crc32C: true);
        var shadow = MySqlStatements.Checksum("`n`", "`PRIMARY`", columns, shadowSide: true, "1 = 1", crc32C: true);
        const string Row = "CONCAT_WS('#', `id`, `name`, `doc`, CONCAT(ISNULL(`id`), ISNULL(`name`), ISNULL(`doc`)))";
        Assert.Equal($"SELECT COUNT(*), COALESCE(SUM(CRC32({Row})), 0), COALESCE(SUM(CRC32C({Row})), 0) FROM `s` FORCE INDEX (`PRIMARY`) WHERE 1 = 1", source);
        Assert.Equal(source.Replace("FROM `s`", "FROM `n`", StringComparison.Ordinal), shadow);
    }

    [Theory]
    [InlineData("latin1_swedish_ci", "utf8mb4_general_ci", "utf8mb4_general_ci")] // a charset change
    [InlineData("utf8mb4_general_ci", "utf8mb4_general_ci", "utf8mb4_unicode_ci")] // two collations on one side
    [InlineData("utf8mb4_general_ci", null, "utf8mb4_general_ci")] // text turned into a number
    public void Checksum_converts_all_text_to_utf8mb4_otherwise(string sourceCollation, string? shadowCollation, string otherCollation)
    {
        var columns = new List<MyColumnMap>
        {
            new(Column("a", "varchar(10)", sourceCollation), Column("a", shadowCollation is null ? "int(11)" : "varchar(10)", shadowCollation)),
            new(Column("b", "varchar(10)", "utf8mb4_general_ci"), Column("b", "varchar(10)", otherCollation)),
        };
        Assert.False(MySqlStatements.RawTextComparable(columns));
        var shadow = MySqlStatements.Checksum("`n`", "`PRIMARY`", columns, shadowSide: true, "1 = 1", crc32C: true);
        Assert.Contains("CONVERT(`b` USING utf8mb4)", shadow, StringComparison.Ordinal);
    }

    [Fact]
    public void Checksum_with_conversion_functions_hashes_non_text_as_binary_on_both_sides()
    {
        var columns = new List<MyColumnMap>
        {
            new(Column("b", "binary(4)", null), Column("b", "varbinary(4)", null)),
            new(Column("t", "varchar(40)", "utf8mb3_general_ci"), Column("t", "varchar(40)", "latin1_swedish_ci")),
        };
        var conversions = new Dictionary<string, string> { ["b"] = "`db`.`_t_cv0`", ["t"] = "`db`.`_t_cv1`" };
        var source = MySqlStatements.Checksum("`s`", "`PRIMARY`", columns, shadowSide: false, "1 = 1", crc32C: true, conversions);
        var shadow = MySqlStatements.Checksum("`n`", "`PRIMARY`", columns, shadowSide: true, "1 = 1", crc32C: true, conversions);
        Assert.Contains("CAST(`db`.`_t_cv0`(`b`) AS BINARY)", source, StringComparison.Ordinal);
        // Both sides hash the new type (latin1 only): raw bytes on both, never utf8mb4 on one side alone.
        Assert.Contains("`db`.`_t_cv1`(`t`)", source, StringComparison.Ordinal);
        Assert.DoesNotContain("CONVERT(", source + shadow, StringComparison.Ordinal);
        Assert.Contains("CAST(`b` AS BINARY)", shadow, StringComparison.Ordinal);
        Assert.DoesNotContain("_t_cv", shadow, StringComparison.Ordinal);
    }

    [Fact]
    public void Checksum_without_crc32c_takes_64_bits_of_md5()
    {
        var columns = new List<MyColumnMap> { new(Column("id", "int(11)", null), Column("id", "int(11)", null)) };
        var sql = MySqlStatements.Checksum("`s`", "`PRIMARY`", columns, shadowSide: false, "1 = 1", crc32C: false);
        Assert.Contains("BIT_XOR(CAST(CONV(LEFT(MD5(", sql, StringComparison.Ordinal);
        Assert.DoesNotContain("CRC32C", sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Tombstones_declare_the_key_columns_like_the_original()
    {
        var id = Column("id", "int(10) unsigned", null);
        var code = Column("co`de", "varchar(20)", "utf8mb4_bin");
        var map = new MyMapping([new(id, id), new(code, code)], [new(id, id), new(code, code)], "PRIMARY", [], []);
        var sql = new MySqlStatements("s", "orders", ShadowCopy.Core.Schema.HelperObjectNames.For("orders", 64), map, "PRIMARY");
        Assert.Equal(
            "CREATE TEMPORARY TABLE IF NOT EXISTS `s`.`_orders_gone` (`id` int(10) unsigned NOT NULL, `co``de` varchar(20) COLLATE utf8mb4_bin NOT NULL, PRIMARY KEY (`id`, `co``de`)) ENGINE=InnoDB",
            sql.CreateTombstones());
        Assert.Equal("INSERT IGNORE INTO `s`.`_orders_gone` (`id`, `co``de`) VALUES (7, 'x'), (8, 'y')", sql.RecordTombstones([["7", "'x'"], ["8", "'y'"]]));
    }

    private static MyColumn Column(string name, string type, string? collation) => new(name, type, collation, IsNullable: true, IsGenerated: false, IsAutoIncrement: false, Default: null);

    [Fact]
    public void Range_over_an_enum_key_column_lists_label_numbers_beyond_the_bound()
    {
        // (e, k) with e ENUM of 4 labels; bounds are label numbers (NextBoundary selects e + 0).
        var sql = MySqlStatements.Range(["e", "k"], ["2", "7"], ["4", "9"], enumSizes: [4, 0]);
        Assert.Equal("((`e` IN (3, 4)) OR (`e` = 2 AND `k` > 7)) AND ((`e` IN (0, 1, 2, 3)) OR (`e` = 4 AND `k` <= 9))", sql);
        Assert.Equal("((1 = 0) OR (`e` = 4 AND `k` > 1))", MySqlStatements.Range(["e", "k"], ["4", "1"], null, enumSizes: [4, 0]));
        Assert.Equal("((`e` IN (0, 1)))", MySqlStatements.Range(["e"], null, ["1"], enumSizes: [4]));
    }

    [Theory]
    [InlineData("enum('zeta','alpha','it''s','a\\\\b','x,y')", 5)]
    [InlineData("enum('')", 1)]
    [InlineData("set('a','b')", 0)]
    [InlineData("varchar(10)", 0)]
    public void EnumLabelCount_counts_quoted_labels(string columnType, int expected) =>
        Assert.Equal(expected, Column("e", columnType, "utf8mb4_general_ci").EnumLabelCount);

    [Fact]
    public void Range_without_bounds_is_always_true() => Assert.Equal("1 = 1", MySqlStatements.Range(["a"], null, null));

    [Fact]
    public void Range_quotes_hostile_identifiers() =>
        Assert.Equal("((`we``ird` > 1))", MySqlStatements.Range(["we`ird"], ["1"], null));

    [Theory]
    [InlineData("Duplicate entry 'a@b' for key 'uq_email'", "uq_email")]
    [InlineData("Duplicate entry '1' for key 't.PRIMARY'", "PRIMARY")]
    [InlineData("something else", "")]
    public void KeyName_reads_the_index_from_a_duplicate_key_message(string message, string expected) =>
        Assert.Equal(expected, MySqlRowApplier.KeyName(message));

    [Theory]
    [InlineData("ON", "MIXED", "FULL")]
    [InlineData("OFF", "ROW", "FULL")]
    [InlineData("1", "ROW", "MINIMAL")]
    public void CheckBinlogSettings_refuses_anything_but_row_format_with_full_images(string logBin, string format, string image)
    {
        var refusal = Assert.Throws<PreflightRefusedException>(() => MySqlPreflight.CheckBinlogSettings(logBin, format, image));
        Assert.Equal(RefusalReason.CaptureUnavailable, refusal.Reason);
    }

    [Fact]
    public void CheckBinlogSettings_accepts_row_full() => MySqlPreflight.CheckBinlogSettings("1", "ROW", "FULL");

    [Theory]
    [InlineData("binlog_row_value_options", "PARTIAL_JSON", "SET GLOBAL binlog_row_value_options = ''")]
    [InlineData("log_bin_compress", "ON", "SET GLOBAL log_bin_compress = OFF")]
    [InlineData("gtid_mode", "ON_PERMISSIVE", "gtid_mode ON or OFF")]
    [InlineData("gtid_mode", "OFF_PERMISSIVE", "gtid_mode ON or OFF")]
    public void CheckBinlogFeatures_refuses_what_the_stream_cannot_read_naming_the_setting(string variable, string value, string fix)
    {
        var refusal = Assert.Throws<PreflightRefusedException>(() => MySqlPreflight.CheckBinlogFeatures(new Dictionary<string, string> { [variable] = value }));
        Assert.Equal(RefusalReason.CaptureUnavailable, refusal.Reason);
        Assert.Contains(variable, refusal.Message, StringComparison.Ordinal);
        Assert.Contains(fix, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckBinlogFeatures_accepts_mysql_8_defaults_compressed_payloads_and_a_server_without_these_variables()
    {
        MySqlPreflight.CheckBinlogFeatures(new Dictionary<string, string>
        {
            ["binlog_transaction_compression"] = "OFF", ["binlog_row_value_options"] = "", ["gtid_mode"] = "ON",
        });
        MySqlPreflight.CheckBinlogFeatures(new Dictionary<string, string> { ["binlog_transaction_compression"] = "ON" });
        MySqlPreflight.CheckBinlogFeatures(new Dictionary<string, string> { ["log_bin_compress"] = "OFF" });
        MySqlPreflight.CheckBinlogFeatures(new Dictionary<string, string>());
    }

    [Theory]
    [InlineData("0-1-100", "0-1-100")]
    [InlineData("0-1-100", "0-2-250,1-1-7")]
    [InlineData("", "0-1-5")]
    public void CheckMariaDbGtidHistory_accepts_a_server_at_or_past_every_recorded_domain(string recorded, string current) =>
        MySqlPreflight.CheckMariaDbGtidHistory(recorded, current);

    [Theory]
    [InlineData("0-1-100", "0-1-99")]
    [InlineData("0-1-100,1-1-3", "0-1-100")]
    [InlineData("0-1-100", "")]
    public void CheckMariaDbGtidHistory_refuses_a_server_whose_history_lacks_the_checkpoint(string recorded, string current)
    {
        var refusal = Assert.Throws<PreflightRefusedException>(() => MySqlPreflight.CheckMariaDbGtidHistory(recorded, current));
        Assert.Equal(RefusalReason.ResumeNotPossible, refusal.Reason);
        Assert.Contains("shadowcopy cleanup", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckReplicationGrants_refuses_without_replication_privileges()
    {
        var refusal = Assert.Throws<PreflightRefusedException>(() => MySqlPreflight.CheckReplicationGrants(["GRANT SELECT, INSERT ON *.* TO `u`@`%`"]));
        Assert.Equal(RefusalReason.MissingPrivileges, refusal.Reason);
        Assert.Contains("REPLICATION SLAVE and REPLICATION CLIENT", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckReplicationGrants_accepts_all_privileges_or_both_grants()
    {
        MySqlPreflight.CheckReplicationGrants(["GRANT ALL PRIVILEGES ON *.* TO `u`@`localhost`"]);
        MySqlPreflight.CheckReplicationGrants(["GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `u`@`%`"]);
    }

    [Theory]
    [InlineData("varchar(5)", "CHAR_LENGTH(`c`) > 5")]
    [InlineData("tinyint(4)", "`c` < -128 OR `c` > 127")]
    [InlineData("int(10) unsigned", "`c` < 0 OR `c` > 4294967295")]
    [InlineData("decimal(5,2)", "`c` <> ROUND(`c`, 2) OR ABS(`c`) >= POW(10, 3)")]
    [InlineData("datetime", null)]
    public void Narrowing_probe_matches_values_that_do_not_fit(string type, string? expected) =>
        Assert.Equal(expected, MySqlLossyChecks.Narrowing(new Model.MyColumn("c", type, null, true, false, false, null), "`c`"));

    [Fact]
    public void EnumValues_reads_quoted_values_with_commas() =>
        Assert.Equal(["a", "b,c", "it's"], MySqlLossyChecks.EnumValues("enum('a','b,c','it''s')"));
}
