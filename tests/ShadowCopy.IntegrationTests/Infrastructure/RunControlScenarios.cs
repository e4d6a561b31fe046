using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Model;

namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>The run-control scenarios both engines go through; the engine tests add their catalog checks.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal static class RunControlScenarios
{
    /// <summary>
    /// A slow run (a few rows per second, chunks of at most 200): ctl chunk-size=137 must make the
    /// next chunk copy 137 rows (seen as last_chunk_rows in status json), then ctl panic must end
    /// the run with exit 9. The caller checks that nothing is left behind.
    /// </summary>
    public static async Task ChunkSizeThenPanicAsync(string dsn, string table, string alter, string password, string capture)
    {
        using var run = new ControlledRun();
        run.Start(dsn, table, alter, password, "--capture", capture, "--max-rows-per-second", "60", "--chunk-size", "50", "--max-chunk-size", "200");

        var copying = await run.WaitForStatusAsync(s => s.GetProperty("phase").GetString() == "copying" && s.GetProperty("rows_copied").GetInt64() > 0, TimeSpan.FromSeconds(90));
        Assert.True(copying.GetProperty("rows_estimated").GetInt64() > 0, copying.ToString());
        var (exitCode, reply) = await ControlledRun.CtlAsync(run.Socket, "chunk-size=137");
        Assert.True(exitCode == ExitCodes.Success, reply);

        // Each chunk is followed by a rate-limit wait longer than the status interval, so the
        // chunk the operator sized is visible in status before the size adapts again.
        await run.WaitForStatusAsync(s => s.GetProperty("last_chunk_rows").GetInt64() == 137, TimeSpan.FromSeconds(30));

        (exitCode, reply) = await ControlledRun.CtlAsync(run.Socket, "chunk-size=lots");
        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.StartsWith("error:", reply, StringComparison.Ordinal);

        (exitCode, reply) = await ControlledRun.CtlAsync(run.Socket, "panic");
        Assert.True(exitCode == ExitCodes.Success, reply);
        var (alterExit, output) = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(alterExit == ExitCodes.Aborted, output);
        Assert.Contains("\"outcome\":\"aborted\"", output, StringComparison.Ordinal);
        Assert.False(File.Exists(run.Socket), "the control socket outlived the run");
        var events = run.JournalEvents();
        Assert.Contains(events, e => Kind(e) == "operator-command" && e.GetProperty("command").GetString() == "chunk-size=137");
        Assert.Contains(events, e => Kind(e) == "operator-command" && e.GetProperty("command").GetString() == "panic");
        Assert.Equal(ExitCodes.Aborted, events[^1].GetProperty("exit_code").GetInt32());
        var hooks = run.HookLines();
        Assert.Equal([HookNames.Startup, HookNames.Failure], hooks.Select(h => h[0]));
        Assert.Equal("9", hooks[1][8]);
        Assert.DoesNotContain(password, File.ReadAllText(run.Journal) + output, StringComparison.Ordinal);
    }

    /// <summary>
    /// A full run: journal holds every phase transition in order and the expected DDL, never the
    /// password; the hooks fired in order with the documented variables.
    /// </summary>
    public static async Task<List<string>> FullRunAsync(string dsn, string table, string alter, string password, string capture, long rows, string engine, string database)
    {
        using var run = new ControlledRun();
        run.Start(dsn, table, alter, password, "--capture", capture, "--max-rows-per-second", "2000", "--chunk-size", "200");
        // (ctl status json is covered by the slow run above: this run may end before a ctl process starts.)
        var (exitCode, output) = await run.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.True(exitCode == ExitCodes.Success, output);

        var journalText = File.ReadAllText(run.Journal);
        Assert.DoesNotContain(password, journalText, StringComparison.Ordinal);
        var events = run.JournalEvents();
        Assert.Equal("run-started", Kind(events[0]));
        Assert.Equal(engine, events[0].GetProperty("engine").GetString());
        Assert.Equal(capture, events[0].GetProperty("capture").GetString());
        Assert.Equal("run-finished", Kind(events[^1]));
        Assert.Equal(
            ["Preflight", "CreatingShadow", "InstallingCapture", "Copying", "CatchingUp", "Verifying", "CuttingOver", "CleaningUp", "Done"],
            events.Where(e => Kind(e) == "phase").Select(e => e.GetProperty("to").GetString()));
        Assert.Contains(events, e => Kind(e) == "validation" && e.GetProperty("gate").GetString() == "verify-passed");
        Assert.Contains(events, e => Kind(e) == "cut-over-attempt" && e.GetProperty("succeeded").GetBoolean());
        Assert.Equal(5, events.Count(e => Kind(e) == "hook"));

        var hooks = run.HookLines();
        Assert.Equal([HookNames.Startup, HookNames.RowCopyComplete, HookNames.Validated, HookNames.BeforeCutOver, HookNames.Success], hooks.Select(h => h[0]));
        Assert.All(hooks, h =>
        {
            Assert.Equal("pw=", h[9]);
            Assert.Equal(engine, h[4]);
            Assert.Equal(database, h[5]);
            Assert.Equal(capture, h[7]);
            Assert.Equal(string.Empty, h[8]);
        });
        Assert.Equal("0", hooks[0][2]);
        Assert.All(hooks.Skip(1), h => Assert.Equal(rows.ToString(System.Globalization.CultureInfo.InvariantCulture), h[2]));
        Assert.Equal(["Starting", "Copying", "Verifying", "Verifying", "Done"], hooks.Select(h => h[1]));

        // The schema-changing statements of the run, outside the rolled-back preflight rehearsal.
        return [.. events
            .Where(e => Kind(e) == "ddl" && !e.GetProperty("step").GetString()!.StartsWith("preflight", StringComparison.Ordinal))
            .Select(e => e.GetProperty("sql").GetString()!)];
    }

    /// <summary>Asserts that statements matching each pattern appear in this order; a pattern's parts, split at '…', must all be in the statement.</summary>
    public static void AssertDdlInOrder(IReadOnlyList<string> ddl, params string[] expected)
    {
        var at = 0;
        foreach (var fragment in expected)
        {
            var found = -1;
            for (var i = at; i < ddl.Count; i++)
            {
                if (fragment.Split('…').All(part => ddl[i].Contains(part, StringComparison.Ordinal)))
                {
                    found = i;
                    break;
                }
            }

            Assert.True(found >= 0, $"no statement containing «{fragment}» after position {at} in:\n{string.Join("\n", ddl)}");
            at = found + 1;
        }
    }

    private static string? Kind(JsonElement e) => e.GetProperty("kind").GetString();
}
