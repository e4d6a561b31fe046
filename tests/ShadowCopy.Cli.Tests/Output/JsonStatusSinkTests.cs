using System.Text.Json;
using ShadowCopy.Cli.Output;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli.Tests.Output;

public sealed class JsonStatusSinkTests
{
    [Fact]
    public void OnStatus_writes_one_json_line_with_the_documented_keys()
    {
        var lines = Lines(sink => sink.OnStatus(new StatusSnapshot(Phase.CatchingUp, 500, 1000, 123.456, TimeSpan.FromSeconds(4.04), 7, 9, 250, "replica lag", TimeSpan.FromSeconds(12.34))));

        var json = Assert.Single(lines).RootElement;
        var keys = json.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.All(
            ["type", "phase", "rows_copied", "rows_estimated", "percent", "rows_per_second", "eta_seconds", "change_backlog", "changes_applied", "chunk_size", "throttle_reason", "elapsed_seconds"],
            key => Assert.Contains(key, keys));
        Assert.Equal("status", json.GetProperty("type").GetString());
        Assert.Equal("catching-up", json.GetProperty("phase").GetString());
        Assert.Equal(500, json.GetProperty("rows_copied").GetInt64());
        Assert.Equal(1000, json.GetProperty("rows_estimated").GetInt64());
        Assert.Equal(50.0, json.GetProperty("percent").GetDouble());
        Assert.Equal(123.5, json.GetProperty("rows_per_second").GetDouble());
        Assert.Equal(4.0, json.GetProperty("eta_seconds").GetDouble());
        Assert.Equal(7, json.GetProperty("change_backlog").GetInt64());
        Assert.Equal(9, json.GetProperty("changes_applied").GetInt64());
        Assert.Equal(250, json.GetProperty("chunk_size").GetInt32());
        Assert.Equal("replica lag", json.GetProperty("throttle_reason").GetString());
        Assert.Equal(12.3, json.GetProperty("elapsed_seconds").GetDouble());
    }

    [Fact]
    public void OnStatus_unknown_eta_and_no_throttle_are_json_null()
    {
        var json = Assert.Single(Lines(sink => sink.OnStatus(new StatusSnapshot(Phase.Copying, 0, 0, 0, null, 0, 0, 1, null, TimeSpan.Zero)))).RootElement;

        Assert.Equal(JsonValueKind.Null, json.GetProperty("eta_seconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("throttle_reason").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("capture").ValueKind);
    }

    [Fact]
    public void OnStatus_capture_detail_is_the_capture_key()
    {
        var json = Assert.Single(Lines(sink => sink.OnStatus(new StatusSnapshot(Phase.Copying, 0, 0, 0, null, 0, 0, 1, null, TimeSpan.Zero) { CaptureDetail = "slot retains 1.0 MB of WAL" }))).RootElement;

        Assert.Equal("slot retains 1.0 MB of WAL", json.GetProperty("capture").GetString());
    }

    [Fact]
    public void OnPhase_and_OnMessage_write_typed_lines_with_kebab_case_phases()
    {
        var lines = Lines(sink =>
        {
            sink.OnPhase(Phase.InstallingCapture, Phase.CuttingOver, null);
            sink.OnPhase(Phase.Verifying, Phase.Postponed, "cut-over waits while /tmp/\"flag\" exists");
            sink.OnMessage("line one\nline \"two\"");
        });

        Assert.Equal(3, lines.Count);
        Assert.Equal("phase", lines[0].RootElement.GetProperty("type").GetString());
        Assert.Equal("installing-capture", lines[0].RootElement.GetProperty("from").GetString());
        Assert.Equal("cutting-over", lines[0].RootElement.GetProperty("to").GetString());
        Assert.Equal(JsonValueKind.Null, lines[0].RootElement.GetProperty("detail").ValueKind);
        Assert.Equal("cut-over waits while /tmp/\"flag\" exists", lines[1].RootElement.GetProperty("detail").GetString());
        Assert.Equal("message", lines[2].RootElement.GetProperty("type").GetString());
        Assert.Equal("line one\nline \"two\"", lines[2].RootElement.GetProperty("message").GetString());
    }

    /// <summary>Runs the sink against a writer and parses every line it wrote (each must be valid JSON).</summary>
    private static List<JsonDocument> Lines(Action<JsonStatusSink> act)
    {
        using var writer = new StringWriter();
        act(new JsonStatusSink(writer));
        return [.. writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line))];
    }
}
