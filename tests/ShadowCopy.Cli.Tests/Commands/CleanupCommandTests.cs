using ShadowCopy.Cli.Commands.Cleanup;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli.Tests.Commands;

/// <summary>Usage errors of <c>shadowcopy cleanup</c>; each fails before a connection is attempted.</summary>
public sealed class CleanupCommandTests
{
    [Theory]
    [InlineData("http://db1/shop", "orders", "2s", "--dsn must start with postgres:// or mysql://")]
    [InlineData("postgres://app@db1/shop", "a.b.c", "2s", "more than two parts")]
    [InlineData("postgres://app@db1/shop", "\"orders", "2s", "Unterminated quoted identifier")]
    [InlineData("postgres://app@db1/shop", "orders", "soon", "--lock-timeout must be a duration")]
    [InlineData("postgres://app@db1/shop", "orders", "0s", "--lock-timeout must be a duration")]
    [InlineData("postgres://app:hunter2@db1/shop", "orders", "2s", "must not contain a password")]
    [InlineData("postgres://app@db1/shop?password=hunter2", "orders", "2s", "must not contain a password")]
    [InlineData("mysql://app:hunter2@db1/shop", "orders", "2s", "must not contain a password")]
    public async Task RunAsync_bad_arguments_are_usage_errors(string dsn, string table, string lockTimeout, string message)
    {
        var (exitCode, output, error) = await CliHarness.RunAsync(CleanupCommand.RunAsync, "cleanup", ["--dsn", dsn, "--table", table, "--lock-timeout", lockTimeout]);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Equal(string.Empty, output);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }
}
