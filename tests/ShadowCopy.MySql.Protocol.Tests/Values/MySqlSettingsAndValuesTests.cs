namespace ShadowCopy.MySql.Protocol.Tests.Values;

public sealed class MySqlSettingsAndValuesTests
{
    [Fact]
    public void ToString_never_contains_the_password()
    {
        var settings = new MySqlSettings { Host = "db", User = "app", Password = "s3cr3t-Pa55", Database = "shop" };
        Assert.DoesNotContain("s3cr3t", settings.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", (settings with { UnixSocket = "/run/mysqld.sock" }).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MySqlDateTime_zero_and_invalid_dates_are_distinct_from_datetime()
    {
        Assert.True(MySqlDateTime.Zero.IsZero);
        Assert.False(MySqlDateTime.Zero.IsValidDateTime);
        Assert.Throws<InvalidOperationException>(() => MySqlDateTime.Zero.ToDateTime());
        Assert.False(new MySqlDateTime(2023, 2, 29, 0, 0, 0, 0).IsValidDateTime);
        var value = new MySqlDateTime(2024, 2, 29, 23, 59, 59, 999999);
        Assert.Equal(new DateTime(2024, 2, 29, 23, 59, 59).AddTicks(9999990), value.ToDateTime());
        Assert.Equal(value, MySqlDateTime.FromDateTime(value.ToDateTime()));
        Assert.Equal("2024-02-29 23:59:59.999999", value.ToString());
    }
}
