using System.Text.Json;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Core.Tests.Control;

public sealed class ControlCommandsTests
{
    private static RunControl NewControl() => new(new AlterOptions { Table = new TableName("public", "orders"), Alter = "ADD COLUMN n int" });

    [Theory]
    [InlineData("chunk-size=5000")]
    [InlineData("chunk-size 5000")]
    [InlineData("  CHUNK-SIZE=5000 \r")]
    public void Execute_chunk_size_requests_it_for_the_next_chunk(string line)
    {
        var control = NewControl();

        var reply = ControlCommands.Execute(line, control);

        Assert.StartsWith("ok:", reply, StringComparison.Ordinal);
        Assert.Equal(5000, control.TakeRequestedChunkSize());
        Assert.Null(control.TakeRequestedChunkSize());
    }

    [Theory]
    [InlineData("chunk-size=0")]
    [InlineData("chunk-size=-5")]
    [InlineData("chunk-size=lots")]
    [InlineData("chunk-size")]
    [InlineData("chunk-time=fast")]
    [InlineData("chunk-time=0s")]
    [InlineData("max-lag=-1s")]
    [InlineData("max-load=Threads_running")]
    [InlineData("critical-load=bad name=3")]
    [InlineData("throttle=yes")]
    [InlineData("status yaml")]
    [InlineData("frobnicate")]
    [InlineData("")]
    public void Execute_bad_command_replies_error_and_changes_nothing(string line)
    {
        var control = NewControl();
        var before = (control.ChunkTime, control.MaxLag, control.MaxLoad.Count, control.CriticalLoad.Count, control.ManualThrottle);

        var reply = ControlCommands.Execute(line, control);

        Assert.StartsWith(ControlCommands.ErrorPrefix, reply, StringComparison.Ordinal);
        Assert.Equal(before, (control.ChunkTime, control.MaxLag, control.MaxLoad.Count, control.CriticalLoad.Count, control.ManualThrottle));
        Assert.Null(control.TakeRequestedChunkSize());
    }

    [Fact]
    public void Execute_settings_change_the_knobs()
    {
        var control = NewControl();

        ControlCommands.Execute("chunk-time=2s", control);
        ControlCommands.Execute("max-lag=1500ms", control);
        ControlCommands.Execute("max-load=Threads_running=25,Threads_connected=300", control);
        ControlCommands.Execute("critical-load=Threads_running=200", control);
        ControlCommands.Execute("throttle", control);
        ControlCommands.Execute("postpone-cut-over", control);

        Assert.Equal(TimeSpan.FromSeconds(2), control.ChunkTime);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), control.MaxLag);
        Assert.Equal(["Threads_running=25", "Threads_connected=300"], control.MaxLoad.Select(l => l.ToString()));
        Assert.Equal(["Threads_running=200"], control.CriticalLoad.Select(l => l.ToString()));
        Assert.True(control.ManualThrottle);
        Assert.True(control.PostponeCutOver);

        ControlCommands.Execute("max-lag=none", control);
        ControlCommands.Execute("max-load=", control);
        ControlCommands.Execute("no-throttle", control);
        ControlCommands.Execute("unpostpone", control);

        Assert.Null(control.MaxLag);
        Assert.Empty(control.MaxLoad);
        Assert.False(control.ManualThrottle);
        Assert.False(control.PostponeCutOver);
    }

    [Fact]
    public void Execute_panic_requests_an_abort_once()
    {
        var control = NewControl();
        var raised = new List<string>();
        control.PanicRequested += raised.Add;

        ControlCommands.Execute("panic", control);
        ControlCommands.Execute("panic", control);

        Assert.Equal(["operator: ctl panic"], raised);
        Assert.Equal("operator: ctl panic", control.PanicReason);
    }

    [Fact]
    public void Execute_every_command_is_notified_with_its_reply()
    {
        var control = NewControl();
        var seen = new List<(string, string)>();
        control.CommandReceived += (command, reply) => seen.Add((command, reply));

        var ok = ControlCommands.Execute("throttle", control);
        var bad = ControlCommands.Execute("nope", control);

        Assert.Equal([("throttle", ok), ("nope", bad)], seen);
    }

    [Fact]
    public void Execute_status_json_is_one_object_with_the_latest_figures()
    {
        var control = NewControl();
        control.LastStatus = new StatusSnapshot(Phase.Copying, 500, 2000, 250, TimeSpan.FromSeconds(6), 7, 9, 300, "rate limit 250 rows/s", TimeSpan.FromSeconds(2))
        {
            LastChunkRows = 137,
            CaptureDetail = "slot retains 1.0 MB",
        };
        control.PostponeReason = "cut-over waits while /tmp/flag exists";

        var json = JsonDocument.Parse(ControlCommands.Execute("status json", control)).RootElement;

        Assert.Equal("copying", json.GetProperty("phase").GetString());
        Assert.Equal(500, json.GetProperty("rows_copied").GetInt64());
        Assert.Equal(2000, json.GetProperty("rows_estimated").GetInt64());
        Assert.Equal(25.0, json.GetProperty("percent").GetDouble());
        Assert.Equal(6.0, json.GetProperty("eta_seconds").GetDouble());
        Assert.Equal(7, json.GetProperty("backlog").GetInt64());
        Assert.Equal(300, json.GetProperty("chunk_size").GetInt32());
        Assert.Equal(137, json.GetProperty("last_chunk_rows").GetInt64());
        Assert.Equal("rate limit 250 rows/s", json.GetProperty("throttle_reason").GetString());
        Assert.Equal("cut-over waits while /tmp/flag exists", json.GetProperty("postpone_reason").GetString());
        Assert.Equal("slot retains 1.0 MB", json.GetProperty("capture_detail").GetString());
    }

    [Fact]
    public void Execute_status_text_names_every_figure_and_works_before_the_first_status()
    {
        var control = NewControl();
        Assert.StartsWith("phase: starting", ControlCommands.Execute("status", control), StringComparison.Ordinal);

        control.LastStatus = new StatusSnapshot(Phase.Copying, 500, 2000, 250, TimeSpan.FromSeconds(6), 7, 9, 300, null, TimeSpan.FromSeconds(2)) { LastChunkRows = 300 };
        var text = ControlCommands.Execute("status", control);

        foreach (var part in new[] { "phase: copying", "500 / 2,000 (25.0%)", "250 rows/s", "ETA 0:06", "backlog 7", "size 300", "last chunk 300 rows", "throttle: none", "postpone: none" })
        {
            Assert.Contains(part, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Execute_help_lists_every_command()
    {
        var help = ControlCommands.Execute("help", NewControl());

        foreach (var command in new[] { "status json", "no-throttle", "chunk-size=N", "chunk-time=DUR", "max-lag=DUR", "max-load=", "critical-load=", "postpone-cut-over", "unpostpone", "panic" })
        {
            Assert.Contains(command, help, StringComparison.Ordinal);
        }
    }
}
