using System.CommandLine;

namespace ShadowCopy.Cli.Commands.Emit;

/// <summary>The options of <c>shadowcopy emit gh-ost|pt-osc</c>; the logic is in <see cref="EmitCommand"/>.</summary>
internal static class EmitCommandDefinition
{
    public static readonly Argument<string> Tool = new("tool") { Description = "gh-ost or pt-osc" };
    public static readonly Option<string> Dsn = new("--dsn") { Description = "mysql://user@host:port/database (no password): pt-online-schema-change and gh-ost serve MySQL/MariaDB only, so postgres://user@host:port/database is refused", Required = true };
    public static readonly Option<string> Table = new("--table") { Description = "table, or database.table", Required = true };
    public static readonly Option<string> AlterClauses = new("--alter") { Description = "the clauses that follow ALTER TABLE name", Required = true };
    public static readonly Option<int?> ChunkSize = new("--chunk-size") { Description = "rows per chunk" };
    public static readonly Option<string?> ChunkTime = new("--chunk-time") { Description = "target time per chunk (e.g. 500ms)" };
    public static readonly Option<string?> MaxLoad = new("--max-load") { Description = "throttle while a status variable exceeds a threshold, e.g. Threads_running=25" };
    public static readonly Option<string?> CriticalLoad = new("--critical-load") { Description = "abort when a status variable exceeds a threshold, e.g. Threads_running=200" };
    public static readonly Option<string?> MaxLag = new("--max-lag") { Description = "throttle while replica lag exceeds this (e.g. 1500ms)" };
    public static readonly Option<string[]> Replicas = new("--replica") { Description = "host[:port] of a replica whose lag throttles the copy (repeatable)", AllowMultipleArgumentsPerToken = true };
    public static readonly Option<string?> ThrottleFlagFile = new("--throttle-flag-file") { Description = "pause copying while this file exists" };
    public static readonly Option<string?> PostponeFlagFile = new("--postpone-cut-over-flag-file") { Description = "wait before cut-over while this file exists" };
    public static readonly Option<string?> CutOverLockTimeout = new("--cut-over-lock-timeout") { Description = "longest wait for the cut-over lock (e.g. 2s)" };
    public static readonly Option<int?> MaxRowsPerSecond = new("--max-rows-per-second") { Description = "copy rate limit" };
    public static readonly Option<bool> DropOldTable = new("--drop-old-table") { Description = "drop the old table after the swap" };
    public static readonly Option<bool> Execute = new("--execute") { Description = "emit a command that runs for real (default: the tool's dry run)" };

    public static Command Create()
    {
        var command = new Command("emit", "Print the equivalent gh-ost or pt-online-schema-change command for a change, with our options translated and the untranslatable ones listed.");
        command.Arguments.Add(Tool);
        foreach (var option in new Option[] { Dsn, Table, AlterClauses, ChunkSize, ChunkTime, MaxLoad, CriticalLoad, MaxLag, Replicas, ThrottleFlagFile, PostponeFlagFile, CutOverLockTimeout, MaxRowsPerSecond, DropOldTable, Execute })
        {
            command.Options.Add(option);
        }

        command.SetAction(parse => EmitCommand.Run(parse, System.Console.Out, System.Console.Error));
        return command;
    }
}
