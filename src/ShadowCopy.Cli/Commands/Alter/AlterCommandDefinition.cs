using System.CommandLine;
using ShadowCopy.Cli.Output;

namespace ShadowCopy.Cli.Commands.Alter;

/// <summary>The options of <c>shadowcopy alter</c>; the logic is in <see cref="AlterCommand"/>.</summary>
internal static class AlterCommandDefinition
{
    public static readonly Option<string> Dsn = new("--dsn") { Description = $"{DsnHelp.Forms} ({DsnHelp.PasswordSources})", Required = true };
    public static readonly Option<string> Table = new("--table") { Description = "schema.table (quote parts with \"…\" for case or special characters)", Required = true };
    public static readonly Option<string> AlterClauses = new("--alter") { Description = "the clauses that follow ALTER TABLE name, e.g. \"ADD COLUMN note text, ALTER COLUMN n TYPE bigint\"", Required = true };
    public static readonly Option<bool> Execute = new("--execute") { Description = "run for real; without it, a dry run that changes nothing on the live table" };
    public static readonly Option<string?> Capture = new("--capture") { Description = "change capture: binlog (MySQL/MariaDB default), trigger (MySQL/MariaDB, PostgreSQL default) or logical (PostgreSQL: pgoutput slot, no triggers)" };
    public static readonly Option<string> MaxSlotRetainedWal = new("--max-slot-retained-wal") { Description = "PostgreSQL logical capture: stop cleanly when the slot retains more WAL than this (e.g. 4GB)", DefaultValueFactory = _ => "4GB" };
    public static readonly Option<bool> AllowReplicaIdentityFull = new("--allow-replica-identity-full") { Description = "PostgreSQL logical capture: accept a table with REPLICA IDENTITY FULL" };
    public static readonly Option<string> ChunkTime = new("--chunk-time") { Description = "target time per copy chunk (e.g. 500ms)", DefaultValueFactory = _ => "500ms" };
    public static readonly Option<int> ChunkSize = new("--chunk-size") { Description = "initial rows per chunk (then adapted to --chunk-time)", DefaultValueFactory = _ => 1000 };
    public static readonly Option<int> MaxChunkSize = new("--max-chunk-size") { Description = "upper bound on rows per chunk", DefaultValueFactory = _ => 200_000 };
    public static readonly Option<int> Threads = new("--threads") { Description = "copy sessions working at once (1–16); more helps when the server has idle cores", DefaultValueFactory = _ => 1 };
    public static readonly Option<int?> MaxRowsPerSecond = new("--max-rows-per-second") { Description = "copy rate limit" };
    public static readonly Option<string?> ThrottleFlagFile = new("--throttle-flag-file") { Description = "pause copying while this file exists (changes keep being applied)" };
    public static readonly Option<string?> PostponeFlagFile = new("--postpone-cut-over-flag-file") { Description = "keep in sync and wait before cut-over while this file exists" };
    public static readonly Option<string> AutovacuumWait = new("--autovacuum-wait") { Description = "PostgreSQL: before a lock on the table, cancel an autovacuum on it (superuser) or wait this long for it to end", DefaultValueFactory = _ => "60s" };
    public static readonly Option<string> CutOverLockTimeout = new("--cut-over-lock-timeout") { Description = "longest wait for the cut-over lock per attempt", DefaultValueFactory = _ => "2s" };
    public static readonly Option<string> CutOverVerifyBudget = new("--cut-over-verify-budget") { Description = "longest time the cut-over may spend, under its lock, verifying rows changed since the last verification; more pending rows are verified in the open first", DefaultValueFactory = _ => "500ms" };
    public static readonly Option<int> CutOverAttempts = new("--cut-over-attempts") { Description = "cut-over attempts before giving up (jittered backoff between)", DefaultValueFactory = _ => 6 };
    public static readonly Option<bool> Revertible = new("--revertible") { Description = "after the swap keep _<table>_old in step with the new table (reverse triggers) until `shadowcopy revert` or `shadowcopy finish`" };
    public static readonly Option<bool> DropOldTable = new("--drop-old-table") { Description = "drop _<table>_old after a successful swap (default: keep it)" };
    public static readonly Option<bool> RepointForeignKeys = new("--repoint-foreign-keys") { Description = "move foreign keys of other tables to the new table at the swap, under their names (PostgreSQL: NOT VALID, then VALIDATE; MySQL/MariaDB: inside the cut-over lock, metadata only, one extra session per child during the swap)" };
    public static readonly Option<bool> AllowForeignKeys = new("--allow-foreign-keys") { Description = "MySQL/MariaDB: run although other tables reference this one, leaving their keys on the old table (with --via: the table's own keys too)" };
    public static readonly Option<string[]> Replicas = new("--replica") { Description = "replica DSN to watch for lag (postgres://… or mysql://…, like --dsn; repeatable); without it, the lag the primary reports (PostgreSQL pg_stat_replication)", AllowMultipleArgumentsPerToken = false };
    public static readonly Option<string?> MaxAppLatency = new("--max-app-latency") { Description = "pace copy, verification and backfill batches while a primary-key read on the table takes longer than this (e.g. 20ms); default: 3x the baseline measured before the copy, at least 5ms; off: no guard" };
    public static readonly Option<string?> MaxLag = new("--max-lag") { Description = "throttle while a replica lags more than this (e.g. 1500ms); an unreadable replica throttles too" };
    public static readonly Option<string?> MaxLoad = new("--max-load") { Description = "throttle while a server metric is above its limit, e.g. Threads_running=25 (MySQL) or active_backends=40 (PostgreSQL); comma-separated" };
    public static readonly Option<string?> CriticalLoad = new("--critical-load") { Description = "abort and clean up when a metric is above its limit, e.g. Threads_running=200" };
    public static readonly Option<string> CriticalLoadGrace = new("--critical-load-grace") { Description = "abort only if the critical load still holds after this long (0 = at once)", DefaultValueFactory = _ => "0s" };
    public static readonly Option<string?> ThrottleQuery = new("--throttle-query") { Description = "a query run every second; a non-zero first column throttles" };
    public static readonly Option<string?> PanicFlagFile = new("--panic-flag-file") { Description = "abort and clean up when this file appears" };
    public static readonly Option<bool> PostponeCutOver = new("--postpone-cut-over") { Description = "keep in sync after verification and wait until `shadowcopy ctl … unpostpone`" };
    public static readonly Option<string?> ControlSocket = new("--control-socket") { Description = "Unix socket for `shadowcopy ctl` (default: in the temp dir, named after the table)" };
    public static readonly Option<bool> Resume = new("--resume") { Description = "continue a crashed or killed run from its checkpoint (with --execute and the same --alter)" };
    public static readonly Option<string> CheckpointInterval = new("--checkpoint-interval") { Description = "how often the checkpoint is written", DefaultValueFactory = _ => "2s" };
    public static readonly Option<string?> HooksDir = new("--hooks-dir") { Description = "directory of hook executables (on-startup, on-validated, on-row-copy-complete, on-before-cut-over, on-success, on-failure, on-status)" };
    public static readonly Option<string> HooksStatusInterval = new("--hooks-status-interval") { Description = "how often the on-status hook runs", DefaultValueFactory = _ => "60s" };
    public static readonly Option<string?> Journal = new("--journal") { Description = "append-only JSON Lines audit journal (default: $XDG_STATE_HOME or ~/.local/state, then shadowcopy/<database>.<schema>.<table>.jsonl; 'none' to disable)" };
    public static readonly Option<string> Output = new("--output") { Description = "text or json (one JSON object per line)", DefaultValueFactory = _ => "text" };
    public static readonly Option<string?> Via = new("--via") { Description = "MySQL/MariaDB: let pt-osc (pt-online-schema-change) or gh-ost copy and sync the table; shadowcopy still runs its preflight, verification and cut-over (ADR 0010)" };
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "log details to stderr" };

    public static Command Create()
    {
        var command = new Command("alter", "Change a table's schema online: shadow table, chunked copy, change capture, verification, atomic swap.");
        foreach (var option in new Option[] { Dsn, Table, AlterClauses, Execute, Capture, ChunkTime, ChunkSize, MaxChunkSize, Threads, MaxRowsPerSecond, ThrottleFlagFile, PostponeFlagFile, CutOverLockTimeout, CutOverVerifyBudget, CutOverAttempts, DropOldTable, Revertible, RepointForeignKeys, AllowForeignKeys, MaxSlotRetainedWal, AllowReplicaIdentityFull, AutovacuumWait, Replicas, MaxLag, MaxAppLatency, MaxLoad, CriticalLoad, CriticalLoadGrace, ThrottleQuery, PanicFlagFile, PostponeCutOver, ControlSocket, Resume, CheckpointInterval, HooksDir, HooksStatusInterval, Journal, Output, Verbose, Via })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => AlterCommand.RunAsync(parse, System.Console.Out, System.Console.Error, cancellationToken));
        return command;
    }

    public static OutputFormat ParseOutput(string value) => value switch
    {
        "json" => OutputFormat.Json,
        "text" => OutputFormat.Text,
        _ => throw new ArgumentException($"--output must be text or json, not '{value}'"),
    };
}
