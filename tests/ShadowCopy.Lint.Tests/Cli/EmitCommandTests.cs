using System.Diagnostics;
using ShadowCopy.Cli.Commands.Emit;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Lint.Tests.Cli;

public sealed class EmitCommandTests
{
    /// <summary>Every flag gh-ost registers with the flag package in go/cmd/gh-ost/main.go (github/gh-ost).</summary>
    private static readonly HashSet<string> GhostFlags =
    [
        "host", "assume-master-host", "port", "mysql-timeout", "user", "password", "master-user", "master-password", "conf", "ask-pass", "charset",
        "ssl", "ssl-ca", "ssl-cert", "ssl-key", "ssl-allow-insecure", "database", "table", "alter", "attempt-instant-ddl", "storage-engine",
        "exact-rowcount", "concurrent-rowcount", "allow-on-master", "allow-master-master", "allow-nullable-unique-key", "approve-renamed-columns",
        "skip-renamed-columns", "tungsten", "discard-foreign-keys", "skip-foreign-key-checks", "skip-strict-mode", "allow-zero-in-date", "aliyun-rds",
        "gcp", "azure", "gtid", "execute", "test-on-replica", "test-on-replica-skip-replica-stop", "migrate-on-replica", "ok-to-drop-table",
        "initially-drop-old-table", "initially-drop-ghost-table", "timestamp-old-table", "cut-over", "force-named-cut-over", "force-named-panic",
        "switch-to-rbr", "assume-rbr", "cut-over-exponential-backoff", "exponential-backoff-max-interval", "chunk-size", "dml-batch-size",
        "default-retries", "panic-on-warnings", "cut-over-lock-timeout-seconds", "nice-ratio", "max-lag-millis", "replication-lag-query",
        "throttle-control-replicas", "throttle-query", "throttle-http", "throttle-http-interval-millis", "throttle-http-timeout-millis",
        "ignore-http-errors", "heartbeat-interval-millis", "throttle-flag-file", "throttle-additional-flag-file", "postpone-cut-over-flag-file",
        "panic-flag-file", "initially-drop-socket-file", "serve-socket-file", "serve-tcp-port", "hooks-path", "hooks-hint", "hooks-hint-owner",
        "hooks-hint-token", "hooks-status-interval", "replica-server-id", "allow-setup-metadata-lock-instruments", "binlogsyncer-max-reconnect-attempts",
        "include-triggers", "trigger-suffix", "remove-trigger-suffix-if-exists", "skip-port-validation", "max-load", "critical-load",
        "critical-load-interval-millis", "critical-load-hibernate-seconds", "quiet", "verbose", "debug", "stack", "help", "version", "check-flag",
        "force-table-names",
    ];

    /// <summary>Options listed by pt-online-schema-change --help (Percona Toolkit 3.x); negatable ones also take --no-.</summary>
    private static readonly HashSet<string> PtOscOptions =
    [
        "alter", "alter-foreign-keys-method", "analyze-before-swap", "ask-pass", "channel", "charset", "check-alter", "check-foreign-keys",
        "check-interval", "check-plan", "check-replication-filters", "check-slave-lag", "check-unique-key-change", "chunk-index",
        "chunk-index-columns", "chunk-size", "chunk-size-limit", "chunk-time", "config", "critical-load", "data-dir", "database",
        "default-engine", "defaults-file", "drop-new-table", "drop-old-table", "drop-triggers", "dry-run", "execute", "force", "help", "host",
        "max-flow-ctl", "max-lag", "max-load", "new-table-name", "null-to-not-null", "only-same-schema-fks", "password", "pause-file", "pid",
        "plugin", "port", "preserve-triggers", "print", "progress", "quiet", "recurse", "recursion-method", "remove-data-dir", "set-vars",
        "skip-check-slave-lag", "slave-password", "slave-user", "sleep", "socket", "statistics", "swap-tables", "tries", "user", "version",
    ];

    private static readonly string[] AllOptions =
    [
        "--dsn", "mysql://app@db1.example.com:3307/shop", "--table", "orders", "--alter", "ADD COLUMN note varchar(20) DEFAULT 'it''s'",
        "--chunk-size", "2000", "--chunk-time", "500ms", "--max-load", "Threads_running=25", "--critical-load", "Threads_running=200",
        "--max-lag", "1500ms", "--replica", "r1.example.com:3306", "--replica", "r2.example.com", "--throttle-flag-file", "/tmp/throttle me",
        "--postpone-cut-over-flag-file", "/tmp/postpone", "--cut-over-lock-timeout", "2500ms", "--max-rows-per-second", "5000", "--execute",
    ];

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        var parse = EmitCommandDefinition.Create().Parse(args);
        Assert.Empty(parse.Errors);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = EmitCommand.Run(parse, output, error);
        return (exit, output.ToString(), error.ToString());
    }

    private static List<string> Words(string output)
    {
        var command = string.Join(" ", output.Split('\n').TakeWhile(l => !l.StartsWith('#')).Select(l => l.TrimEnd('\\', ' ')));
        return ShellWords(command);
    }

    [Fact]
    public void Run_ghOst_everyEmittedFlagIsAGhOstFlag()
    {
        var (exit, output, _) = Run(["gh-ost", .. AllOptions]);
        Assert.Equal(ExitCodes.Success, exit);
        var flags = Words(output).Skip(1).Select(w => w.TrimStart('-').Split('=')[0]).ToList();
        Assert.All(flags, f => Assert.Contains(f, GhostFlags));
        Assert.Contains("max-lag-millis", flags);
        Assert.Contains("throttle-control-replicas", flags);
        Assert.Contains("postpone-cut-over-flag-file", flags);
        Assert.Contains("cut-over-lock-timeout-seconds", flags);
        Assert.Contains("execute", flags);
    }

    [Fact]
    public void Run_ghOst_translatesUnitsAndListsWhatHasNoEquivalent()
    {
        var (_, output, _) = Run(["gh-ost", .. AllOptions]);
        var words = Words(output);
        Assert.Contains("--max-lag-millis=1500", words);
        Assert.Contains("--cut-over-lock-timeout-seconds=3", words);
        Assert.Contains("--throttle-control-replicas=r1.example.com:3306,r2.example.com", words);
        Assert.Contains("--alter=ADD COLUMN note varchar(20) DEFAULT 'it''s'", words);
        Assert.Contains("--throttle-flag-file=/tmp/throttle me", words);
        Assert.Contains("# no equivalent: --chunk-time", output, StringComparison.Ordinal);
        Assert.Contains("# no equivalent: --max-rows-per-second", output, StringComparison.Ordinal);
        Assert.DoesNotContain("--password", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ghOstWithoutExecute_emitsNoExecuteFlag()
    {
        var (_, output, _) = Run("gh-ost", "--dsn", "mysql://app@h/db", "--table", "t", "--alter", "ADD COLUMN c int");
        Assert.DoesNotContain("--execute", Words(output));
    }

    [Fact]
    public void Run_ptOsc_everyEmittedOptionIsAPtOscOption()
    {
        var (exit, output, _) = Run(["pt-osc", .. AllOptions]);
        Assert.Equal(ExitCodes.Success, exit);
        var words = Words(output);
        Assert.Equal("pt-online-schema-change", words[0]);
        var options = words.Skip(1).Where(w => w.StartsWith("--", StringComparison.Ordinal)).Select(w => w[2..].Split('=')[0]).Select(o => o.StartsWith("no-", StringComparison.Ordinal) ? o[3..] : o).ToList();
        Assert.All(options, o => Assert.Contains(o, PtOscOptions));
        Assert.Equal("h=db1.example.com,P=3307,u=app,D=shop,t=orders", words[^1]);
        Assert.Contains("--max-lag=1.5", words);
        Assert.Contains("--chunk-time=0.5", words);
        Assert.Contains("--check-slave-lag=h=r1.example.com,P=3306", words);
        Assert.Contains("--set-vars=lock_wait_timeout=3", words);
        Assert.Contains("--pause-file=/tmp/throttle me", words);
        Assert.Contains("--no-drop-old-table", words);
        Assert.Contains("--execute", words);
        Assert.Contains("# no equivalent: --postpone-cut-over-flag-file", output, StringComparison.Ordinal);
        Assert.Contains("# no equivalent: replicas after the first (r2.example.com)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ptOscWithoutExecute_emitsDryRun()
    {
        var (_, output, _) = Run("pt-osc", "--dsn", "mysql://app@h/db", "--table", "t", "--alter", "ADD COLUMN c int", "--drop-old-table");
        var words = Words(output);
        Assert.Contains("--dry-run", words);
        Assert.Contains("--drop-old-table", words);
    }

    [Theory]
    [InlineData("postgres://u@h/db", "gh-ost")]
    [InlineData("mysql://u:secret@h/db", "gh-ost")]
    [InlineData("mysql://u@h/db", "lhm")]
    public void Run_badInput_exits2(string dsn, string tool)
    {
        var (exit, _, error) = Run(tool, "--dsn", dsn, "--table", "t", "--alter", "ADD COLUMN c int");
        Assert.Equal(ExitCodes.UsageError, exit);
        Assert.StartsWith("error:", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("it's")]
    [InlineData("a b\tc")]
    [InlineData("$(rm -rf /) `x` \"y\" \\ ; | & > <")]
    [InlineData("'")]
    [InlineData("")]
    [InlineData("ünïcødé 表")]
    [InlineData("--alter=ADD COLUMN `a``b` text DEFAULT 'x'")]
    public void ShellQuote_hostileValue_survivesARealShell(string value)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", "printf '%s' " + ShellQuote.Quote(value)]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var echoed = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(value, echoed);
    }

    /// <summary>Splits a POSIX command line the way sh does for the quoting we emit (single quotes, \ before newline, spaces).</summary>
    private static List<string> ShellWords(string line)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", "for w in " + line.Replace("\n", " ", StringComparison.Ordinal) + "; do printf '%s\\0' \"$w\"; done"]) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return [.. text.Split('\0', StringSplitOptions.RemoveEmptyEntries)];
    }
}
