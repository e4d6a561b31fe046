using ShadowCopy.Core.Engine;

namespace ShadowCopy.MySql.Tests;

public sealed class MySqlDsnTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        key => values.FirstOrDefault(v => v.Key == key).Value;

    [Fact]
    public void Parse_full_dsn_reads_user_host_port_database_and_password_from_environment()
    {
        var settings = MySqlDsn.Parse("mysql://app@db1:3307/shop", Env(("SHADOWCOPY_PASSWORD", "s3cret"), ("MYSQL_PWD", "other"), ("MYSQL_OPTION_FILE", "/nonexistent")));
        Assert.Equal(("app", "db1", 3307, "shop", "s3cret"), (settings.User, settings.Host, settings.Port, settings.Database, settings.Password));
    }

    [Fact]
    public void Parse_without_shadowcopy_password_falls_back_to_mysql_pwd()
    {
        var settings = MySqlDsn.Parse("mysql://app@db1/shop", Env(("MYSQL_PWD", "pwd"), ("MYSQL_OPTION_FILE", "/nonexistent")));
        Assert.Equal((3306, "pwd"), (settings.Port, settings.Password));
    }

    [Fact]
    public void Parse_without_environment_password_reads_the_client_group_of_the_option_file()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "[mysqld]\npassword=server\n[client]\nuser = x\npassword = \"from file\"\n");
            var settings = MySqlDsn.Parse("mysql://app@db1/shop", Env(("MYSQL_OPTION_FILE", file)));
            Assert.Equal("from file", settings.Password);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("mysql://app:secret@db1/shop")]
    [InlineData("mysql://app@db1/shop?password=secret")]
    [InlineData("postgres://app@db1/shop")]
    [InlineData("mysql://app@db1/")]
    [InlineData("mysql://app@db1/shop?unknown=1")]
    public void Parse_refuses_passwords_and_malformed_dsns_with_usage_error(string dsn)
    {
        var error = Assert.Throws<ShadowCopyException>(() => MySqlDsn.Parse(dsn, Env()));
        Assert.Equal(ExitCodes.UsageError, error.ExitCode);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_never_prints_the_password()
    {
        var settings = MySqlDsn.Parse("mysql://app@db1:3307/shop", Env(("SHADOWCOPY_PASSWORD", "s3cret")));
        Assert.Equal("mysql://app@db1:3307/shop", MySqlDsn.Describe(settings));
    }
}
