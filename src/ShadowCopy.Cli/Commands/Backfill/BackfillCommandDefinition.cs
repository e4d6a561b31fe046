using System.CommandLine;
using ShadowCopy.Cli.Commands.Alter;

namespace ShadowCopy.Cli.Commands.Backfill;

/// <summary>
/// The options of <c>shadowcopy backfill</c>; the logic is in <see cref="BackfillCommand"/>. Run
/// control options are the very <c>alter</c> options (same names, same meaning, same parsing).
/// </summary>
internal static class BackfillCommandDefinition
{
    public static readonly Option<string> Set = new("--set") { Description = "the assignments each batch's UPDATE makes, e.g. \"email_lower = lower(email)\"", Required = true };
    public static readonly Option<string?> Where = new("--where") { Description = "the rows still to do, e.g. \"email_lower IS NULL\": each batch updates only these, so a rerun touches only what is left" };
    public static readonly Option<string?> Verify = new("--verify") { Description = "a condition true for a drifted row, counted at the end, e.g. \"email_lower IS DISTINCT FROM lower(email)\"; non-zero exits 4" };
    public static readonly Option<string?> BatchTime = new("--batch-time") { Description = "target time per batch transaction, i.e. how long a batch may hold the row locks writers queue behind (batch size adapts to it); default: MySQL/MariaDB 100ms, PostgreSQL 200ms" };
    public static readonly Option<int> BatchSize = new("--batch-size") { Description = "initial key positions per batch (then adapted to --batch-time)", DefaultValueFactory = _ => 1000 };
    public static readonly Option<int> MaxBatchSize = new("--max-batch-size") { Description = "upper bound on key positions per batch", DefaultValueFactory = _ => 50_000 };
    public static readonly Option<string> LockWaitTimeout = new("--lock-wait-timeout") { Description = "longest wait for a lock per batch (MySQL: whole seconds, rounded up); then the batch is rolled back and retried smaller", DefaultValueFactory = _ => "2s" };
    public static readonly Option<int> BatchAttempts = new("--batch-attempts") { Description = "attempts per batch on lock timeout or deadlock (jittered backoff between)", DefaultValueFactory = _ => 6 };

    public static Command Create()
    {
        var command = new Command("backfill", "Update a table's rows in short key-range batches (expand/contract): throttled, resumable, verified. Dry run by default.");
        foreach (var option in new Option[]
        {
            AlterCommandDefinition.Dsn, AlterCommandDefinition.Table, Set, Where, Verify, AlterCommandDefinition.Execute, AlterCommandDefinition.Resume,
            BatchTime, BatchSize, MaxBatchSize, LockWaitTimeout, BatchAttempts,
            AlterCommandDefinition.MaxRowsPerSecond, AlterCommandDefinition.ThrottleFlagFile, AlterCommandDefinition.Replicas, AlterCommandDefinition.MaxLag, AlterCommandDefinition.MaxAppLatency,
            AlterCommandDefinition.MaxLoad, AlterCommandDefinition.CriticalLoad, AlterCommandDefinition.CriticalLoadGrace, AlterCommandDefinition.ThrottleQuery,
            AlterCommandDefinition.PanicFlagFile, AlterCommandDefinition.ControlSocket, AlterCommandDefinition.HooksDir, AlterCommandDefinition.HooksStatusInterval,
            AlterCommandDefinition.Journal, AlterCommandDefinition.Output, AlterCommandDefinition.Verbose,
        })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => BackfillCommand.RunAsync(parse, System.Console.Out, System.Console.Error, cancellationToken));
        return command;
    }
}
