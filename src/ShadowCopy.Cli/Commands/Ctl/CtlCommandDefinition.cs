using System.CommandLine;

namespace ShadowCopy.Cli.Commands.Ctl;

/// <summary>The options of <c>shadowcopy ctl</c>; the logic is in <see cref="CtlCommand"/>.</summary>
internal static class CtlCommandDefinition
{
    public static readonly Option<string?> Socket = new("--socket") { Description = "the run's control socket (its --control-socket)" };
    public static readonly Option<string?> Dsn = new("--dsn") { Description = $"the run's --dsn, {DsnHelp.Forms}; with --table instead of --socket it derives the run's default socket path (nothing is contacted)" };
    public static readonly Option<string?> Table = new("--table") { Description = "the run's --table (with --dsn)" };
    public static readonly Option<string> Timeout = new("--timeout") { Description = "longest wait for the reply", DefaultValueFactory = _ => "10s" };
    public static readonly Argument<string[]> Words = new("command") { Description = "status | status json | throttle | no-throttle | chunk-size=N | chunk-time=DUR | max-lag=DUR | max-load=Name=N,… | critical-load=… | postpone-cut-over | unpostpone | panic | help", Arity = ArgumentArity.OneOrMore };

    public static Command Create()
    {
        var command = new Command("ctl", "Send a command to a running `shadowcopy alter` through its control socket and print the reply.");
        command.Options.Add(Socket);
        command.Options.Add(Dsn);
        command.Options.Add(Table);
        command.Options.Add(Timeout);
        command.Arguments.Add(Words);
        command.SetAction((parse, cancellationToken) => CtlCommand.RunAsync(parse, System.Console.Out, System.Console.Error, cancellationToken));
        return command;
    }
}
