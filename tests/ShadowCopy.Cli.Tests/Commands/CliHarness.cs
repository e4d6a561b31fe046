using System.CommandLine;

namespace ShadowCopy.Cli.Tests.Commands;

/// <summary>The root command as Program.Main builds it, and a runner that captures a verb's output.</summary>
internal static class CliHarness
{
    private static readonly Lazy<RootCommand> Root = new(Program.CreateRoot);

    public static ParseResult Parse(string verb, params string[] args)
    {
        var parse = Root.Value.Parse([verb, .. args]);
        Assert.Empty(parse.Errors);
        return parse;
    }

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        Func<ParseResult, TextWriter, TextWriter, CancellationToken, Task<int>> command, string verb, string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await command(Parse(verb, args), output, error, CancellationToken.None);
        return (exitCode, output.ToString(), error.ToString());
    }
}
