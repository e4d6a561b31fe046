using System.CommandLine;

namespace ShadowCopy.Cli.Commands.Revert;

internal static class RevertCommandDefinition
{
    public static readonly Option<string> Dsn = new("--dsn") { Description = $"{DsnHelp.Forms} ({DsnHelp.PasswordSources})", Required = true };
    public static readonly Option<string> Table = new("--table") { Description = "schema.table changed earlier with alter --revertible", Required = true };
    public static readonly Option<bool> Execute = new("--execute") { Description = "really swap back (default: say how revertible the table is — since when, behind, held, rows that do not fit back — and what would happen; change nothing)" };
    public static readonly Option<string> LockTimeout = new("--lock-timeout") { Description = "longest wait per attempt for the swap's lock", DefaultValueFactory = _ => "2s" };
    public static readonly Option<int> Attempts = new("--attempts") { Description = "how often the swap is tried when its lock is not granted", DefaultValueFactory = _ => 6 };
    public static readonly Option<string?> Journal = new("--journal") { Description = "JSON-lines audit file (default: the table's journal; 'none' for none)" };

    public static Command Create()
    {
        var command = new Command("revert", "Undo a change made with alter --revertible: verify the kept old table against the new one through the inverse column mapping, then swap it back (the new shape is kept as _<table>_old).");
        foreach (var option in new Option[] { Dsn, Table, Execute, LockTimeout, Attempts, Journal })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RevertCommand.RunAsync(parse, finish: false, System.Console.Out, System.Console.Error, cancellationToken));
        return command;
    }
}
