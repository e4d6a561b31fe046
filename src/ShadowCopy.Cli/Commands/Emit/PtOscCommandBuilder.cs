using System.Globalization;

namespace ShadowCopy.Cli.Commands.Emit;

/// <summary>
/// Translates our options to pt-online-schema-change (Percona Toolkit 3.x) options: a DSN of
/// h=,P=,S=,u=,D=,t= pairs, --alter, --chunk-size/--chunk-time (seconds), --max-load,
/// --critical-load, --max-lag (seconds), --check-slave-lag, --pause-file, --set-vars,
/// --[no-]drop-old-table, --execute or --dry-run.
/// </summary>
internal static class PtOscCommandBuilder
{
    public static EmittedCommand Build(EmitRequest r)
    {
        var words = new List<string> { "pt-online-schema-change" };
        var missing = new List<string>();
        var notes = new List<string> { "pt-online-schema-change reads the password from --ask-pass or ~/.my.cnf; it is never put on the command line here." };
        words.Add(ShellQuote.Flag("--alter", r.Alter));
        words.Add("--ask-pass");
        if (r.ChunkSize is { } chunk)
        {
            words.Add(ShellQuote.Flag("--chunk-size", chunk.ToString(CultureInfo.InvariantCulture)));
        }

        if (r.ChunkTime is { } chunkTime)
        {
            words.Add(ShellQuote.Flag("--chunk-time", Seconds(chunkTime)));
        }

        if (r.MaxLoad is not null)
        {
            words.Add(ShellQuote.Flag("--max-load", r.MaxLoad));
        }

        if (r.CriticalLoad is not null)
        {
            words.Add(ShellQuote.Flag("--critical-load", r.CriticalLoad));
        }

        if (r.MaxLag is { } lag)
        {
            words.Add(ShellQuote.Flag("--max-lag", Seconds(lag)));
        }

        if (r.Replicas.Count > 0)
        {
            // --check-slave-lag names one replica; more need a DSN table (--recursion-method=dsn=…).
            words.Add(ShellQuote.Flag("--check-slave-lag", ReplicaDsn(r.Replicas[0])));
            if (r.Replicas.Count > 1)
            {
                missing.Add($"replicas after the first ({string.Join(", ", r.Replicas.Skip(1))}): pt-online-schema-change watches several replicas only through --recursion-method=dsn=D=…,t=… (a table listing them)");
            }
        }

        if (r.ThrottleFlagFile is not null)
        {
            words.Add(ShellQuote.Flag("--pause-file", r.ThrottleFlagFile));
        }

        if (r.PostponeCutOverFlagFile is not null)
        {
            missing.Add("--postpone-cut-over-flag-file: pt-online-schema-change swaps as soon as the copy ends (closest: --no-swap-tables --no-drop-new-table, then RENAME TABLE by hand)");
        }

        if (r.CutOverLockTimeout is { } timeout)
        {
            // The swap is one RENAME TABLE whose metadata-lock wait is bounded by lock_wait_timeout (whole seconds).
            var seconds = Math.Max(1, (long)Math.Ceiling(timeout.TotalSeconds));
            words.Add(ShellQuote.Flag("--set-vars", $"lock_wait_timeout={seconds.ToString(CultureInfo.InvariantCulture)}"));
        }

        if (r.MaxRowsPerSecond is not null)
        {
            missing.Add("--max-rows-per-second: pt-online-schema-change has no row-rate limit (it sizes chunks by --chunk-time)");
        }

        words.Add(r.DropOldTable ? "--drop-old-table" : "--no-drop-old-table");
        words.Add(r.Execute ? "--execute" : "--dry-run");
        words.Add(ShellQuote.Quote(Dsn(r)));
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
}
