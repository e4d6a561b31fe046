using System.CommandLine;

namespace ShadowCopy.Cli.Commands.Lint;

/// <summary>The options of <c>shadowcopy lint</c>; the logic is in <see cref="LintCommand"/>.</summary>
internal static class LintCommandDefinition
{
    public static readonly Argument<string[]> Files = new("files") { Description = "migration files to check (- reads standard input)", Arity = ArgumentArity.ZeroOrMore };
    public static readonly Option<string?> Engine = new("--engine") { Description = "postgres, mysql or mariadb (or \"engine\" in the config file)" };
    public static readonly Option<string?> TargetVersion = new("--target-version") { Description = "server version the migrations will run on, e.g. 15, 8.0.29, 10.11 (default: oldest supported upstream)" };
    public static readonly Option<string?> Config = new("--config") { Description = "JSON config file (default: .shadowcopy-lint.json in the current directory, if present)" };
    public static readonly Option<string> Output = new("--output") { Description = "text, json or sarif", DefaultValueFactory = _ => "text" };
    public static readonly Option<string?> FailOn = new("--fail-on") { Description = "exit 40 when a finding at or above this severity exists: info, warning or error (default error)" };
    public static readonly Option<bool> ListRules = new("--list-rules") { Description = "print every rule (id, severity, engines) and exit" };

    public static Command Create()
    {
        var command = new Command("lint", "Check migration files for DDL that locks, rewrites or breaks running code, with the safe alternative for each finding.");
        command.Arguments.Add(Files);
        foreach (var option in new Option[] { Engine, TargetVersion, Config, Output, FailOn, ListRules })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => LintCommand.RunAsync(parse, System.Console.In, System.Console.Out, System.Console.Error, cancellationToken));
        return command;
    }
}
