using System.CommandLine;

namespace ShadowCopy.Cli.Commands.Cleanup;

internal static class CleanupCommandDefinition
{
    public static readonly Option<string> Dsn = new("--dsn") { Description = $"{DsnHelp.Forms} ({DsnHelp.PasswordSources})", Required = true };
    public static readonly Option<string?> Table = new("--table") { Description = "schema.table whose leftovers to remove" };
    public static readonly Option<bool> Migrations = new("--migrations") { Description = "remove the checkpoints of stopped `shadowcopy migrate` runs (table _shadowcopy_migrate_state of the DSN's schema or database), forgetting where they stopped" };
    public static readonly Option<string> LockTimeout = new("--lock-timeout") { Description = "longest wait per attempt for the lock DROP TRIGGER needs", DefaultValueFactory = _ => "2s" };

    public static Command Create()
    {
        var command = new Command("cleanup", "Remove every object an interrupted run left (trigger, function, change log, shadow, checkpoints) and nothing else: give --table, --migrations, or both.");
        command.Options.Add(Dsn);
        command.Options.Add(Table);
        command.Options.Add(Migrations);
        command.Options.Add(LockTimeout);
        command.SetAction((parse, cancellationToken) => CleanupCommand.RunAsync(parse, System.Console.Out, System.Console.Error, cancellationToken));
        return command;
    }
}
