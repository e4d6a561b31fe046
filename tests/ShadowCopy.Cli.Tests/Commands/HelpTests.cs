using System.CommandLine;

namespace ShadowCopy.Cli.Tests.Commands;

/// <summary>The help every command prints, as a user sees it (issue 13: no "coming", both DSN forms).</summary>
public sealed class HelpTests
{
    public static TheoryData<string> Commands() => [.. Program.CreateRoot().Subcommands.Select(c => c.Name)];

    private static async Task<string> HelpAsync(params string[] args)
    {
        using var output = new StringWriter();
        var exit = await Program.CreateRoot().Parse([.. args, "--help"]).InvokeAsync(new InvocationConfiguration { Output = output });
        Assert.Equal(0, exit);
        return output.ToString();
    }

    [Fact]
    public async Task Root_help_namesBothEnginesAndNothingComing()
    {
        var help = await HelpAsync();
        Assert.DoesNotContain("coming", help, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("PostgreSQL, MySQL and MariaDB", help, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Command_help_showsBothDsnFormsWhereverItTakesADsn(string command)
    {
        var help = await HelpAsync(command);
        Assert.DoesNotContain("coming", help, StringComparison.OrdinalIgnoreCase);
        if (Program.CreateRoot().Subcommands.Single(c => c.Name == command).Options.Any(o => o.Name == "--dsn"))
        {
            Assert.Contains("postgres://user@host:port/database", help, StringComparison.Ordinal);
            Assert.Contains("mysql://user@host:port/database", help, StringComparison.Ordinal);
        }
    }
}
