using ShadowCopy.Core.Engine;

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
