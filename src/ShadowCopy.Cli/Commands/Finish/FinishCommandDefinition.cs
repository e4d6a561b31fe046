using System.CommandLine;
using ShadowCopy.Cli.Commands.Revert;

namespace ShadowCopy.Cli.Commands.Finish;

internal static class FinishCommandDefinition
{
    public static readonly Option<bool> KeepOldTable = new("--keep-old-table") { Description = "keep _<table>_old (no longer kept in step) instead of dropping it" };

    public static Command Create()
    {
        var command = new Command("finish", "End revertibility of a change made with alter --revertible: remove the reverse capture and drop the old table.");
        foreach (var option in new Option[] { RevertCommandDefinition.Dsn, RevertCommandDefinition.Table, RevertCommandDefinition.Execute, KeepOldTable, RevertCommandDefinition.LockTimeout, RevertCommandDefinition.Attempts, RevertCommandDefinition.Journal })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => RevertCommand.RunAsync(parse, finish: true, System.Console.Out, System.Console.Error, cancellationToken));
        return command;
    }
}
