using System.Globalization;
using ShadowCopy.MySql.External;

namespace ShadowCopy.Cli.Commands.Emit;

/// <summary>
/// Translates our options to gh-ost flags. Flag names and ranges are those gh-ost registers in
/// go/cmd/gh-ost/main.go (e.g. --chunk-size 10–100,000, --cut-over-lock-timeout-seconds in whole
/// seconds, --max-lag-millis in milliseconds).
/// </summary>
internal static class GhostCommandBuilder
{
    private const int MinChunk = 10;
    private const int MaxChunk = 100_000;

    /// <param name="via">alter --via: the password from a 0600 --conf file, and the flag file that holds the cut-over while we verify (ADR 0010).</param>
    public static EmittedCommand Build(EmitRequest r, ToolRun? via = null)
    {
        var words = new List<string> { "gh-ost" };
        var missing = new List<string>();
        var notes = new List<string>
        {
            "gh-ost reads the password from --ask-pass (prompt) or --conf=~/.my.cnf; it is never put on the command line here.",
            "--allow-on-master: ShadowCopy connects to the primary; to let gh-ost read the binlog from a replica, point --host at the replica and drop this flag.",
        };
        words.Add(Arg("--host", r.Host));
        words.Add(Arg("--port", r.Port.ToString(CultureInfo.InvariantCulture)));
        words.Add(Arg("--user", r.User));
        words.Add(via is null ? "--ask-pass" : Arg("--conf", via.OptionFile));
        words.Add(Arg("--database", r.Database));
        words.Add(Arg("--table", r.Table));
        words.Add(Arg("--alter", r.Alter));
        words.Add("--allow-on-master");
        if (r.Socket is not null)
        {
            missing.Add("socket (DSN ?socket=): gh-ost connects over TCP only; use --host/--port");
        }

        if (r.ChunkSize is { } chunk)
        {
            var clamped = Math.Clamp(chunk, MinChunk, MaxChunk);
            words.Add(Arg("--chunk-size", clamped.ToString(CultureInfo.InvariantCulture)));
            if (clamped != chunk)
            {
                notes.Add($"--chunk-size {chunk} is outside gh-ost's range {MinChunk}–{MaxChunk:N0}; emitted {clamped}.");
            }
        }

        if (r.ChunkTime is not null)
        {
            missing.Add("--chunk-time: gh-ost's chunk size is fixed (change it live with the chunk-size= interactive command); --nice-ratio sleeps between chunks but does not size them");
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
            words.Add(Arg("--max-lag-millis", ((long)lag.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)));
        }

        if (r.Replicas.Count > 0)
        {
            words.Add(Arg("--throttle-control-replicas", string.Join(",", r.Replicas)));
        }

        if (r.ThrottleFlagFile is not null)
        {
            words.Add(Arg("--throttle-flag-file", r.ThrottleFlagFile));
        }

        if ((via?.CutOverFlagFile ?? r.PostponeCutOverFlagFile) is { } postpone)
        {
            words.Add(Arg("--postpone-cut-over-flag-file", postpone));
        }

        if (r.CutOverLockTimeout is { } timeout)
        {
            // gh-ost takes whole seconds and accepts 1–10; round up so we never wait less than asked.
            var seconds = Math.Clamp((long)Math.Ceiling(timeout.TotalSeconds), 1, 10);
            words.Add(Arg("--cut-over-lock-timeout-seconds", seconds.ToString(CultureInfo.InvariantCulture)));
            if (Math.Abs(seconds - timeout.TotalSeconds) > 0.001)
            {
                notes.Add($"--cut-over-lock-timeout {timeout.TotalSeconds:0.###}s became {seconds}s (gh-ost: whole seconds, 1–10).");
            }
        }

        if (r.MaxRowsPerSecond is not null)
        {
            missing.Add("--max-rows-per-second: gh-ost has no row-rate limit (closest: --nice-ratio, a sleep proportional to chunk time)");
        }

        if (r.DropOldTable)
        {
            words.Add("--ok-to-drop-table");
        }

        if (r.Execute)
        {
            words.Add("--execute");
        }
        else
        {
            notes.Add("without --execute gh-ost runs a no-op check only, like our dry run.");
        }

        return new EmittedCommand(words, missing, notes);
    }

    private static string Arg(string name, string value) => $"{name}={value}";
}
