using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Postgres.Tests;

public sealed class PgDsnTests
{
    private const string Secret = "s3cr3t-Pa55";

    [Fact]
    public void Parse_full_dsn_reads_host_port_user_database_and_safe_defaults()
    {
        var builder = Parse("postgres://app@db1.example.com:6543/shop");

        Assert.Equal("db1.example.com", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("app", builder.Username);
        Assert.Equal("shop", builder.Database);
        Assert.Equal("shadowcopy", builder.ApplicationName);
        Assert.False(builder.Pooling);
        Assert.Equal(0, builder.CommandTimeout);
        Assert.Null(builder.Password);
    }

    [Fact]
    public void Parse_postgresql_scheme_without_port_uses_5432()
    {
        var builder = Parse("postgresql://app@localhost/shop");

        Assert.Equal(5432, builder.Port);
        Assert.Equal("localhost", builder.Host);
    }

    [Fact]
    public void Parse_without_user_takes_PGUSER()
    {
        Assert.Equal("envuser", Parse("postgres://db1/shop", ("PGUSER", "envuser")).Username);
    }

    [Fact]
    public void Parse_percent_encoded_user_and_database_are_decoded()
    {
        var builder = Parse("postgres://app%40corp@db1/my%20db");

        Assert.Equal("app@corp", builder.Username);
        Assert.Equal("my db", builder.Database);
    }

    [Theory]
    [InlineData("disable", SslMode.Disable)]
    [InlineData("allow", SslMode.Allow)]
    [InlineData("prefer", SslMode.Prefer)]
    [InlineData("require", SslMode.Require)]
    [InlineData("verify-ca", SslMode.VerifyCA)]
    [InlineData("verify-full", SslMode.VerifyFull)]
    public void Parse_sslmode_values_map_to_Npgsql(string value, SslMode expected)
    {
        Assert.Equal(expected, Parse($"postgres://app@db1/shop?sslmode={value}").SslMode);
    }

    [Theory]
    [InlineData("postgres://app:" + Secret + "@db1/shop")]
    [InlineData("postgres://app@db1/shop?password=" + Secret)]
    [InlineData("postgres://app@db1/shop?sslmode=require&password=" + Secret)]
    public void Parse_password_in_dsn_is_refused_without_echoing_it(string dsn)
    {
        var error = Assert.Throws<ShadowCopyException>(() => Parse(dsn));

        Assert.Equal(ExitCodes.UsageError, error.ExitCode);
        Assert.Contains("password", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("postgres://app@db1/shop?connect_timeout=5", "connect_timeout")]
    [InlineData("postgres://app@db1/shop?sslmode=maybe", "maybe")]
    [InlineData("mysql://app@db1/shop", "postgres://")]
    [InlineData("db1:5432/shop", "postgres://")]
    [InlineData("not a dsn", "postgres://")]
    public void Parse_unknown_parameter_or_scheme_is_a_usage_error(string dsn, string messagePart)
    {
        var error = Assert.Throws<ShadowCopyException>(() => Parse(dsn));

        Assert.Equal(ExitCodes.UsageError, error.ExitCode);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SHADOWCOPY_PASSWORD_is_preferred_over_PGPASSWORD()
    {
        var builder = Parse("postgres://app@db1/shop", ("SHADOWCOPY_PASSWORD", "first"), ("PGPASSWORD", "second"));

        Assert.Equal("first", builder.Password);
    }

    [Fact]
    public void Parse_PGPASSWORD_is_used_when_SHADOWCOPY_PASSWORD_is_not_set()
    {
        Assert.Equal("second", Parse("postgres://app@db1/shop", ("PGPASSWORD", "second")).Password);
    }

    [Fact]
    public void Parse_without_password_uses_an_existing_PGPASSFILE()
    {
        var passfile = Path.GetTempFileName();
        try
        {
            var builder = Parse("postgres://app@db1/shop", ("PGPASSFILE", passfile));

            Assert.Equal(passfile, builder.Passfile);
            Assert.Null(builder.Password);
        }
        finally
        {
            File.Delete(passfile);
        }
    }

    [Fact]
    public void Parse_missing_PGPASSFILE_is_not_set()
    {
        var builder = Parse("postgres://app@db1/shop", ("PGPASSFILE", Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}")));

        Assert.Null(builder.Passfile);
    }

    [Fact]
    public void Describe_never_shows_the_password()
    {
        var builder = Parse("postgres://app@db1:6543/shop?sslmode=require", ("SHADOWCOPY_PASSWORD", Secret));

        var described = PgDsn.Describe(builder);

        Assert.Equal("postgres://app@db1:6543/shop", described);
        Assert.DoesNotContain(Secret, described, StringComparison.Ordinal);
    }

    /// <summary>Parses with only the given variables set (PGPASSFILE points nowhere unless given).</summary>
    private static NpgsqlConnectionStringBuilder Parse(string dsn, params (string Name, string Value)[] variables)
    {
        var environment = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        environment.TryAdd("PGPASSFILE", Path.Combine(Path.GetTempPath(), $"no-pgpass-{Guid.NewGuid():N}"));
        return PgDsn.Parse(dsn, name => environment.GetValueOrDefault(name));
    }

    [Fact]
    public void Parse_libpq_tls_file_words_map_to_npgsql()
    {
        var ca = Path.GetTempFileName();
        var cert = Path.GetTempFileName();
        var key = Path.GetTempFileName();
        try
        {
            var builder = PgDsn.Parse(
                $"postgres://app@db1/shop?sslmode=verify-full&sslrootcert={Uri.EscapeDataString(ca)}&sslcert={Uri.EscapeDataString(cert)}&sslkey={Uri.EscapeDataString(key)}",
                _ => null);
            Assert.Equal((SslMode.VerifyFull, ca, cert, key), (builder.SslMode, builder.RootCertificate, builder.SslCertificate, builder.SslKey));
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
    [InlineData("sslcert=/nonexistent/c.pem", "sslcert: file")]
    public void Parse_missing_tls_file_is_a_usage_error(string query, string message)
    {
        var error = Assert.Throws<ShadowCopyException>(() => PgDsn.Parse("postgres://app@db1/shop?" + query, _ => null));
        Assert.Equal(ExitCodes.UsageError, error.ExitCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
