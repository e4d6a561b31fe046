using System.Diagnostics;
using ShadowCopy.Cli.Commands.Emit;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.IntegrationTests.MySql;

namespace ShadowCopy.IntegrationTests.Plan;

/// <summary>
/// The emitted pt-online-schema-change command, run as printed through /bin/sh against the local
/// MariaDB in its own --dry-run mode: the real tool accepts every option and the quoting. The
/// only edit is the password source (--ask-pass becomes a 0600 --defaults-file, which Percona
/// tools require as the first option).
/// </summary>
[Collection("plan")]
public sealed class EmitPtOscDryRunTests
{
    [Fact]
    public async Task Emit_ptOsc_realToolAcceptsTheCommandInDryRun()
    {
        var name = PlanTables.UniqueName();
        await MyServer.ExecAsync($"CREATE TABLE `{name}` (id int NOT NULL PRIMARY KEY, n int) ENGINE=InnoDB");
        var defaults = Path.Combine(Path.GetTempPath(), $"{name}.cnf");
        try
        {
            File.WriteAllText(defaults, $"[client]\npassword={TestServers.Get("SHADOWCOPY_MY_PASSWORD")}\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(defaults, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            var parse = EmitCommandDefinition.Create().Parse(
            [
                "pt-osc", "--dsn", MyServer.Dsn, "--table", name, "--alter", "ADD COLUMN note varchar(60) DEFAULT 'it''s; \"quoted\" $HOME `x` \\\\ !'",
                "--chunk-size", "500", "--chunk-time", "500ms", "--max-load", "Threads_running=50", "--critical-load", "Threads_running=400",
                "--max-lag", "1500ms", "--throttle-flag-file", "/tmp/never exists", "--cut-over-lock-timeout", "2s",
            ]);
            using var output = new StringWriter();
            Assert.Equal(0, EmitCommand.Run(parse, output, TextWriter.Null));
            var command = string.Join('\n', output.ToString().Split('\n').Where(l => !l.StartsWith('#')))
                .Replace("pt-online-schema-change", $"pt-online-schema-change --defaults-file={ShellQuote.Quote(defaults)}", StringComparison.Ordinal)
                .Replace(" \\\n  --ask-pass", string.Empty, StringComparison.Ordinal);
            var (exit, text) = await RunShellAsync(command);
            Assert.True(exit == 0, $"pt-online-schema-change exited {exit}:\n{text}\ncommand:\n{command}");
            Assert.Contains("Dry run complete", text, StringComparison.Ordinal);
            Assert.True(text.Contains("Altered ", StringComparison.Ordinal), text);
        }
        finally
        {
            File.Delete(defaults);
            await MyServer.ExecAsync($"DROP TABLE IF EXISTS `{name}`");
        }
    }

    private static async Task<(int Exit, string Output)> RunShellAsync(string command)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", command + " 2>&1"]) { RedirectStandardOutput = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start /bin/sh");
        var text = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, text);
    }
}
