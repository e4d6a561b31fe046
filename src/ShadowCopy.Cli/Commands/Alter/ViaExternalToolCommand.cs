using System.CommandLine;
using ShadowCopy.Cli.Commands.Emit;
using ShadowCopy.Cli.Output;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql;
using ShadowCopy.MySql.External;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.Cli.Engines;
using Microsoft.Extensions.Logging;

namespace ShadowCopy.Cli.Commands.Alter;

/// <summary>
/// <c>shadowcopy alter --via pt-osc|gh-ost</c>: the command line of <c>emit</c>, run (no shell)
/// inside our own preflight, verification and cut-over (ADR 0010), through the same run setup as any
/// alter (journal, hooks, control socket, status): only the backend differs. The tool's lines are
/// streamed with a <c>pt-osc| </c> prefix on the stream they came on, or as
/// <c>{"type":"tool",…}</c> objects in JSON mode so stdout stays one JSON object per line.
/// </summary>
internal sealed class ViaExternalToolCommand
{
    private EmitRequest? _request;

    private ViaExternalToolCommand(ExternalTool tool) => Tool = tool;

    public ExternalTool Tool { get; }

    /// <summary>The --via tool, checked against the DSN's engine and --capture; null without --via.</summary>
    internal static ViaExternalToolCommand? Parse(ParseResult parse, IEngine engine)
    {
        if (parse.GetValue(AlterCommandDefinition.Via) is not { } name)
        {
            return null;
        }

        var tool = ExternalTool.Find(name) ?? throw new ArgumentException($"--via takes pt-osc or gh-ost, not '{name}'");
        if (engine is not MySqlEngine)
        {
            throw new ArgumentException($"--via {tool.Name} runs {tool.Executable}, which works on MySQL/MariaDB only: --dsn must be mysql://user@host:port/database. For PostgreSQL run shadowcopy alter without --via.");
        }

        if (parse.GetValue(AlterCommandDefinition.Capture) is { } capture)
        {
            throw new ArgumentException($"--capture {capture} does not apply with --via: {tool.Name} captures changes itself.");
        }

        return new ViaExternalToolCommand(tool);
    }

    /// <summary>The backend that runs the tool; its lines and notes go to <paramref name="sink"/>.</summary>
    internal IAlterBackend CreateBackend(string dsn, AlterOptions options, OutputFormat format, IStatusSink sink, TextWriter output, TextWriter error, ILogger logger)
    {
        var settings = MySqlDsn.Parse(dsn);
        var request = Request(settings, options, Tool);
        _request = request;
        var via = new ViaToolSettings
        {
            Tool = Tool,
            Arguments = run => Build(Tool, request, run).Arguments.Skip(1).ToList(),
            Display = run => string.Join(' ', Build(Tool, request, run).Words),
            OnToolLine = ToolLineWriter(format, sink, output, error),
            OnMessage = sink.OnMessage,
        };
        return new MySqlViaToolBackend(settings, options, via, logger);
    }

    /// <summary>What the user must know before the run: the weaker verification, and our options the tool cannot take.</summary>
    internal void Announce(IStatusSink sink)
    {
        sink.OnMessage($"note: {Tool.Name} keeps writing its shadow after our verification and records no keys, so changes between the verification and the swap are not re-verified (docs/cut-over.md); run without --via for a swap verified up to the last change.");
        foreach (var missing in Build(Tool, _request ?? throw new InvalidOperationException("CreateBackend first"), null).NoEquivalent)
        {
            sink.OnMessage($"{Tool.Name} has no equivalent, not applied: {missing}");
        }
    }

    /// <summary>Our options in emit's terms. pt-osc sizes chunks by --chunk-time (an explicit --chunk-size would switch that off); gh-ost by a fixed size.</summary>
    internal static EmitRequest Request(MySqlSettings settings, AlterOptions options, ExternalTool tool) => new(
        settings.Host,
        settings.Port,
        settings.UnixSocket,
        settings.User,
        options.Table.Schema,
        options.Table.Name,
        options.Alter.Trim(),
        tool.CutsOverItself ? options.InitialChunkSize : null,
        tool.CutsOverItself ? null : options.ChunkTime,
        null,
        null,
        null,
        [],
        options.ThrottleFlagFile,
        null, // our runner postpones (pt-osc) or owns gh-ost's flag file
        options.CutOverLockTimeout,
        options.MaxRowsPerSecond,
        options.DropOldTable,
        options.Execute);

    internal static EmittedCommand Build(ExternalTool tool, EmitRequest request, ToolRun? run) =>
        tool.CutsOverItself ? GhostCommandBuilder.Build(request, run) : PtOscCommandBuilder.Build(request, run);

    private static Action<string, bool, string> ToolLineWriter(OutputFormat format, IStatusSink sink, TextWriter output, TextWriter error)
    {
        if (format == OutputFormat.Json)
        {
            // The JSON sink exists by the time the tool runs (the run creates it before it starts).
            return (tool, isError, line) =>
            {
                if ((sink as LateStatusSink)?.Target is JsonStatusSink json)
                {
                    json.Write(new Dictionary<string, object?> { ["type"] = "tool", ["tool"] = tool, ["stream"] = isError ? "stderr" : "stdout", ["line"] = line });
                }
            };
        }

        var gate = new Lock();
        return (tool, isError, line) =>
        {
            lock (gate)
            {
                var writer = isError ? error : output;
                writer.WriteLine($"{tool}| {line}");
                writer.Flush();
            }
        };
    }
}
