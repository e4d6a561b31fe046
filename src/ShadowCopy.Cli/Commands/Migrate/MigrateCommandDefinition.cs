using System.CommandLine;
using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Cli.Commands.Backfill;

namespace ShadowCopy.Cli.Commands.Migrate;

/// <summary>
/// The options of <c>shadowcopy migrate</c>; the logic is in <see cref="MigrateCommand"/>. The
/// online-copy steps take the very <c>alter</c> options and the backfill steps the <c>backfill</c>
/// ones (same names, same meaning, same parsing).
/// </summary>
internal static class MigrateCommandDefinition
{
    public static readonly Argument<string[]> Files = new("FILE") { Description = "SQL migration files, run in the order given as one migration", Arity = ArgumentArity.OneOrMore };
    public static readonly Option<int?> PauseBefore = new("--pause-before") { Description = "stop before statement N (numbered as in the dry run) and exit 60; continue with --execute --resume" };
    public static readonly Option<string> NativeUnder = new("--native-under") { Description = "run a change the server would do by rewriting under lock natively only if it takes at most this (else the online copy)", DefaultValueFactory = _ => "1s" };
    public static readonly Option<string> LockTimeout = new("--lock-timeout") { Description = "longest lock wait per attempt of a native statement or index build (MySQL: whole seconds, rounded up)", DefaultValueFactory = _ => "2s" };
    public static readonly Option<int> LockAttempts = new("--lock-attempts") { Description = "attempts of a native statement or index build on lock timeouts (jittered backoff between)", DefaultValueFactory = _ => 6 };

    public static Command Create()
    {
        var command = new Command("migrate", "Run a SQL migration file statement by statement, each with the safest method the server's own answer allows (native with a bounded lock wait, online index build, online copy, backfill). Refuses what lint marks as an error. Dry run by default.");
        command.Arguments.Add(Files);
        foreach (var option in new Option[]
        {
            AlterCommandDefinition.Dsn, AlterCommandDefinition.Execute, AlterCommandDefinition.Resume, PauseBefore, NativeUnder, LockTimeout, LockAttempts,
            AlterCommandDefinition.Capture, AlterCommandDefinition.ChunkTime, AlterCommandDefinition.ChunkSize, AlterCommandDefinition.MaxChunkSize, AlterCommandDefinition.Threads,
            AlterCommandDefinition.PostponeFlagFile, AlterCommandDefinition.PostponeCutOver, AlterCommandDefinition.CutOverLockTimeout, AlterCommandDefinition.CutOverVerifyBudget, AlterCommandDefinition.CutOverAttempts,
            AlterCommandDefinition.DropOldTable, AlterCommandDefinition.RepointForeignKeys, AlterCommandDefinition.AllowForeignKeys, AlterCommandDefinition.MaxSlotRetainedWal,
            AlterCommandDefinition.AllowReplicaIdentityFull, AlterCommandDefinition.AutovacuumWait, AlterCommandDefinition.CheckpointInterval,
            BackfillCommandDefinition.BatchTime, BackfillCommandDefinition.BatchSize, BackfillCommandDefinition.MaxBatchSize, BackfillCommandDefinition.LockWaitTimeout, BackfillCommandDefinition.BatchAttempts,
            AlterCommandDefinition.MaxRowsPerSecond, AlterCommandDefinition.ThrottleFlagFile, AlterCommandDefinition.Replicas, AlterCommandDefinition.MaxLag, AlterCommandDefinition.MaxAppLatency,
            AlterCommandDefinition.MaxLoad, AlterCommandDefinition.CriticalLoad, AlterCommandDefinition.CriticalLoadGrace, AlterCommandDefinition.ThrottleQuery,
            AlterCommandDefinition.PanicFlagFile, AlterCommandDefinition.HooksDir, AlterCommandDefinition.HooksStatusInterval,
            AlterCommandDefinition.Journal, AlterCommandDefinition.Output, AlterCommandDefinition.Verbose,
        })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => MigrateCommand.RunAsync(parse, System.Console.Out, System.Console.Error, cancellationToken));
        return command;
    }
}
