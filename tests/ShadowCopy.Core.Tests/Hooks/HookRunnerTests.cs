using System.Diagnostics;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Tests.Fakes;

namespace ShadowCopy.Core.Tests.Hooks;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class HookRunnerTests : IDisposable
{
    private static readonly HookContext Context = new()
    {
        Engine = "postgres",
        Database = "shop",
        Table = "public.orders",
        Alter = "ADD COLUMN n int",
        Phase = "Copying",
        Capture = "trigger",
        RowsCopied = 1500,
        RowsEstimated = 3000,
        ChangeBacklog = 4,
        EtaSeconds = 12.5,
        ElapsedSeconds = 3,
        ThrottleReason = "rate limit 100 rows/s",
    };

    private readonly string _dir = Directory.CreateTempSubdirectory("sc-hooks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Script(string name, string body, bool executable = true)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (executable)
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    [Fact]
    public async Task RunAsync_runs_matching_executables_in_ordinal_order_with_the_variables()
    {
        var log = Path.Combine(_dir, "log.txt");
        Script("on-startup-b", $"echo \"b $SHADOWCOPY_HOOK\" >> {log}");
        Script("on-startup-a", $"echo \"a $SHADOWCOPY_HOOK $SHADOWCOPY_ENGINE $SHADOWCOPY_DATABASE $SHADOWCOPY_TABLE $SHADOWCOPY_PHASE $SHADOWCOPY_CAPTURE $SHADOWCOPY_ROWS_COPIED $SHADOWCOPY_ROWS_ESTIMATED $SHADOWCOPY_BACKLOG $SHADOWCOPY_ETA_SECONDS $SHADOWCOPY_ELAPSED_SECONDS [$SHADOWCOPY_THROTTLE_REASON] [$SHADOWCOPY_ALTER] [$SHADOWCOPY_EXIT_CODE]\" >> {log}");
        Script("on-startup-B", $"echo \"B\" >> {log}");
        Script("on-startup-not-executable", $"echo \"never\" >> {log}", executable: false);
        Script("on-success", $"echo \"never\" >> {log}");
        Directory.CreateDirectory(Path.Combine(_dir, "on-startup-dir"));
        var hooks = new HookRunner(_dir, TimeSpan.FromSeconds(30), null);

        var outcome = await hooks.RunAsync(HookNames.Startup, Context, CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(
            [
                "B",
                "a on-startup postgres shop public.orders Copying trigger 1500 3000 4 12.5 3 [rate limit 100 rows/s] [ADD COLUMN n int] []",
                "b on-startup",
            ],
            await File.ReadAllLinesAsync(log));
    }

    [Fact]
    public async Task RunAsync_never_passes_password_variables_to_the_hook()
    {
        var log = Path.Combine(_dir, "env.txt");
        Script("on-status", $"env > {log}");
        var hooks = new HookRunner(_dir, TimeSpan.FromSeconds(30), null);
        Environment.SetEnvironmentVariable("PGPASSWORD", "hook-test-secret");
        try
        {
            await hooks.RunAsync(HookNames.Status, Context, CancellationToken.None);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", null);
        }

        var env = await File.ReadAllTextAsync(log);
        Assert.Contains("SHADOWCOPY_HOOK=on-status", env, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-test-secret", env, StringComparison.Ordinal);
        Assert.DoesNotContain("PGPASSWORD", env, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_failing_hook_fails_the_outcome_runs_the_rest_and_journals_each()
    {
        Script("on-before-cut-over-1", "echo not yet; exit 3");
        Script("on-before-cut-over-2", "echo fine");
        var observer = new RecordingObserver();
        var hooks = new HookRunner(_dir, TimeSpan.FromSeconds(30), observer);

        var outcome = await hooks.RunAsync(HookNames.BeforeCutOver, Context, CancellationToken.None);

        Assert.False(outcome.Succeeded);
        Assert.Equal("on-before-cut-over-1 exited with 3", outcome.Failure);
        var events = observer.Events;
        Assert.All(events, e => Assert.Equal(RunEventKinds.Hook, e.Kind));
        Assert.Equal([3, 0], events.Select(e => (int)e.Data["exit_code"]!));
        Assert.Equal(["not yet\n", "fine\n"], events.Select(e => (string)e.Data["output"]!));
    }

    [Fact]
    public async Task RunAsync_hook_past_its_timeout_is_killed_with_its_children_and_fails()
    {
        var marker = Path.Combine(_dir, "child-survived");
        Script("on-validated", $"(sleep 3; touch {marker}) & sleep 30");
        var observer = new RecordingObserver();
        var hooks = new HookRunner(_dir, TimeSpan.FromMilliseconds(500), observer);
        var watch = Stopwatch.StartNew();

        var outcome = await hooks.RunAsync(HookNames.Validated, Context, CancellationToken.None);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
        Assert.False(outcome.Succeeded);
        Assert.Contains("did not finish within 0.5 s", outcome.Failure, StringComparison.Ordinal);
        Assert.True((bool)observer.Events.Single().Data["timed_out"]!);
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.False(File.Exists(marker), "the hook's child process outlived the kill");
    }

    [Fact]
    public async Task RunAsync_output_is_truncated()
    {
        Script("on-status", "i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); done");
        var observer = new RecordingObserver();

        await new HookRunner(_dir, TimeSpan.FromSeconds(30), observer).RunAsync(HookNames.Status, Context, CancellationToken.None);

        var output = (string)observer.Events.Single().Data["output"]!;
        Assert.True(output.Length <= HookRunner.MaxOutputChars + 20, output.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.EndsWith("(truncated)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_no_matching_executable_succeeds()
    {
        var outcome = await new HookRunner(_dir, TimeSpan.FromSeconds(1), null).RunAsync(HookNames.Failure, Context, CancellationToken.None);

        Assert.True(outcome.Succeeded);
    }

    [Fact]
    public void Constructor_missing_directory_is_a_usage_error()
    {
        var error = Assert.Throws<ArgumentException>(() => new HookRunner(Path.Combine(_dir, "missing"), TimeSpan.FromSeconds(1), null));

        Assert.Contains("--hooks-dir", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Variables_on_failure_carry_exit_code_and_message()
    {
        var variables = HookRunner.Variables(HookNames.Failure, Context with { ExitCode = 9, FailureMessage = "Aborted (operator: ctl panic)" });

        Assert.Equal("9", variables["SHADOWCOPY_EXIT_CODE"]);
        Assert.Equal("Aborted (operator: ctl panic)", variables["SHADOWCOPY_FAILURE"]);
        Assert.DoesNotContain(variables.Keys, k => SecretRedactor.PasswordVariables.Contains(k));
    }
}
