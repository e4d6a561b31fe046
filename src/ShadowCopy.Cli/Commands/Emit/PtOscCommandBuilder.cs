using System.Globalization;
using ShadowCopy.MySql.External;

namespace ShadowCopy.Cli.Commands.Emit;

/// <summary>
/// Translates our options to pt-online-schema-change (Percona Toolkit 3.x) options: a DSN of
/// h=,P=,S=,u=,D=,t= pairs, --alter, --chunk-size/--chunk-time (seconds), --max-load,
/// --critical-load, --max-lag (seconds), --check-slave-lag, --pause-file, --set-vars,
/// --[no-]drop-old-table, --execute or --dry-run.
/// </summary>
internal static class PtOscCommandBuilder
{
    /// <param name="via">
    /// alter --via: the password from a 0600 option file (Percona tools require --defaults-file
    /// first), and the run stops before the swap with its new table and triggers in place
    /// (--no-swap-tables --no-drop-new-table --no-drop-triggers; "--no-drop-triggers forces
    /// --no-drop-old-table", pt-online-schema-change 3.2.1) so we verify and swap (ADR 0010).
    /// </param>
    public static EmittedCommand Build(EmitRequest r, ToolRun? via = null)
    {
        var words = new List<string> { "pt-online-schema-change" };
        if (via is not null)
        {
            words.Add(Arg("--defaults-file", via.OptionFile));
        }

        var missing = new List<string>();
        var notes = new List<string> { "pt-online-schema-change reads the password from --ask-pass or ~/.my.cnf; it is never put on the command line here." };
        words.Add(Arg("--alter", r.Alter));
        if (via is null)
        {
            words.Add("--ask-pass");
        }

        if (r.ChunkSize is { } chunk)
        {
            words.Add(Arg("--chunk-size", chunk.ToString(CultureInfo.InvariantCulture)));
        }

        if (r.ChunkTime is { } chunkTime)
        {
            words.Add(Arg("--chunk-time", Seconds(chunkTime)));
        }

        if (r.MaxLoad is not null)
        {
            words.Add(Arg("--max-load", r.MaxLoad));
        }

        if (r.CriticalLoad is not null)
        {
            words.Add(Arg("--critical-load", r.CriticalLoad));
        }

        if (r.MaxLag is { } lag)
        {
            words.Add(Arg("--max-lag", Seconds(lag)));
        }

        if (r.Replicas.Count > 0)
        {
            // --check-slave-lag names one replica; more need a DSN table (--recursion-method=dsn=…).
            words.Add(Arg("--check-slave-lag", ReplicaDsn(r.Replicas[0])));
            if (r.Replicas.Count > 1)
            {
                missing.Add($"replicas after the first ({string.Join(", ", r.Replicas.Skip(1))}): pt-online-schema-change watches several replicas only through --recursion-method=dsn=D=…,t=… (a table listing them)");
            }
        }

        if (r.ThrottleFlagFile is not null)
        {
            words.Add(Arg("--pause-file", r.ThrottleFlagFile));
        }

        if (r.PostponeCutOverFlagFile is not null)
        {
            missing.Add("--postpone-cut-over-flag-file: pt-online-schema-change swaps as soon as the copy ends (closest: --no-swap-tables --no-drop-new-table, then RENAME TABLE by hand)");
        }

        if (r.CutOverLockTimeout is { } timeout)
        {
            // The swap is one RENAME TABLE whose metadata-lock wait is bounded by lock_wait_timeout (whole seconds).
            var seconds = Math.Max(1, (long)Math.Ceiling(timeout.TotalSeconds));
            words.Add(Arg("--set-vars", $"lock_wait_timeout={seconds.ToString(CultureInfo.InvariantCulture)}"));
        }

        if (r.MaxRowsPerSecond is not null)
        {
            missing.Add("--max-rows-per-second: pt-online-schema-change has no row-rate limit (it sizes chunks by --chunk-time)");
        }

        if (via is null)
        {
            words.Add(r.DropOldTable ? "--drop-old-table" : "--no-drop-old-table");
        }
        else if (r.Execute)
        {
            words.AddRange(["--no-swap-tables", "--no-drop-new-table", "--no-drop-triggers", Arg("--new-table-name", via.NewTableName)]);
        }
        else
        {
            // Its own dry run creates and alters the new table and drops it again, unless told to keep it.
            words.Add(Arg("--new-table-name", via.NewTableName));
        }

        words.Add(r.Execute ? "--execute" : "--dry-run");
        words.Add(Dsn(r));
        return new EmittedCommand(words, missing, notes);
    }

    private static string Dsn(EmitRequest r)
    {
        var parts = new List<string> { $"h={r.Host}", $"P={r.Port.ToString(CultureInfo.InvariantCulture)}" };
        if (r.Socket is not null)
        {
            parts.Add($"S={r.Socket}");
        }

        parts.Add($"u={r.User}");
        parts.Add($"D={r.Database}");
        parts.Add($"t={r.Table}");
        return string.Join(",", parts);
    }

    private static string ReplicaDsn(string hostPort)
    {
        var colon = hostPort.LastIndexOf(':');
        return colon > 0 ? $"h={hostPort[..colon]},P={hostPort[(colon + 1)..]}" : $"h={hostPort}";
    }

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Arg(string name, string value) => $"{name}={value}";
}
