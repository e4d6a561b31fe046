using ShadowCopy.Cli.Commands.Plan;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Lint.Tests.Cli;

/// <summary>Usage errors are caught before any connection is attempted (the real-server cases are in IntegrationTests/Plan).</summary>
public sealed class PlanCommandTests
{
    private static async Task<(int Exit, string Error)> Run(params string[] args)
    {
        var parse = PlanCommandDefinition.Create().Parse(args);
        Assert.Empty(parse.Errors);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await PlanCommand.RunAsync(parse, output, error, CancellationToken.None);
        return (exit, error.ToString());
    }

    [Theory]
    [InlineData("oracle://u@h/db", "text")]
    [InlineData("mysql://u:pw@h/db", "text")]
    [InlineData("postgres://u@h/db", "yaml")]
    public async Task RunAsync_badDsnOrOutput_exits2WithoutConnecting(string dsn, string output)
    {
        var (exit, error) = await Run("--dsn", dsn, "--table", "t", "--alter", "ADD COLUMN c int", "--output", output);
        Assert.Equal(ExitCodes.UsageError, exit);
        Assert.StartsWith("error:", error, StringComparison.Ordinal);
    }
}
