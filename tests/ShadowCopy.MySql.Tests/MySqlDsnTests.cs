using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

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

    [Fact]
    public void Parse_tls_files_and_server_key_options_map_to_settings_as_full_paths()
    {
        var ca = Path.GetTempFileName();
        var cert = Path.GetTempFileName();
        var key = Path.GetTempFileName();
        try
        {
            var settings = MySqlDsn.Parse(
                $"mysql://app@db1/shop?sslmode=verify-full&sslrootcert={Uri.EscapeDataString(ca)}&sslcert={Uri.EscapeDataString(cert)}&sslkey={Uri.EscapeDataString(key)}&server-public-key-path={Uri.EscapeDataString(ca)}&get-server-public-key=true",
                Env(("MYSQL_OPTION_FILE", "/nonexistent")));
            Assert.Equal((ca, cert, key, ca, true), (settings.SslCaPath, settings.SslCertPath, settings.SslKeyPath, settings.ServerRsaPublicKeyPath, settings.AllowPublicKeyRetrieval));
            var connectionString = MySqlConnectionStrings.For(settings);
            Assert.Contains($"SSL CA={ca}", connectionString, StringComparison.OrdinalIgnoreCase);
            Assert.Contains($"SSL Cert={cert}", connectionString, StringComparison.OrdinalIgnoreCase);
            Assert.Contains($"SSL Key={key}", connectionString, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("SSL Mode=VerifyFull", connectionString, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            File.Delete(ca);
            File.Delete(cert);
            File.Delete(key);
        }
    }

    [Theory]
    [InlineData("sslrootcert=/nonexistent/ca.pem", "sslrootcert: file '/nonexistent/ca.pem' does not exist")]
    [InlineData("sslkey=/nonexistent/k.pem", "sslkey: file")]
    [InlineData("get-server-public-key=maybe", "get-server-public-key must be true or false")]
    public void Parse_bad_tls_parameters_are_usage_errors(string query, string message)
    {
        var error = Assert.Throws<ShadowCopyException>(() => MySqlDsn.Parse("mysql://app@db1/shop?" + query, Env(("MYSQL_OPTION_FILE", "/nonexistent"))));
        Assert.Equal(ExitCodes.UsageError, error.ExitCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_client_certificate_without_its_key_is_a_usage_error()
    {
        var cert = Path.GetTempFileName();
        try
        {
            var error = Assert.Throws<ShadowCopyException>(() => MySqlDsn.Parse($"mysql://app@db1/shop?sslcert={Uri.EscapeDataString(cert)}", Env(("MYSQL_OPTION_FILE", "/nonexistent"))));
            Assert.Contains("sslcert and sslkey together", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(cert);
        }
    }

    [Fact]
    public void ConnectionString_pins_the_options_that_change_results_and_turns_pooling_off()
    {
        var builder = new MySqlConnector.MySqlConnectionStringBuilder(MySqlConnectionStrings.For(new ShadowCopy.MySql.Protocol.MySqlSettings { Host = "db1", User = "app", Password = "pw", Database = "shop" }));
        Assert.False(builder.Pooling);
        Assert.False(builder.UseAffectedRows);
        Assert.True(builder.AllowZeroDateTime);
        Assert.False(builder.ConvertZeroDateTime);
        Assert.False(builder.TreatTinyAsBoolean);
        Assert.Equal(MySqlConnector.MySqlGuidFormat.None, builder.GuidFormat);
        Assert.True(builder.AllowUserVariables);
        Assert.Equal(30u, builder.DefaultCommandTimeout);
        Assert.Equal(5, builder.CancellationTimeout);
    }
}
