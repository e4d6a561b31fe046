using System.CommandLine;
using ShadowCopy.Cli.Commands.Emit;
using ShadowCopy.Cli.Output;
using ShadowCopy.Core.Engine;
using ShadowCopy.MySql;
using ShadowCopy.MySql.External;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.Cli.Commands.Alter;

/// <summary>
/// <c>shadowcopy alter --via pt-osc|gh-ost</c>: the command line of <c>emit</c>, run (no shell)
/// inside our own preflight, verification and cut-over (ADR 0010). The tool's lines are streamed
/// with a <c>pt-osc| </c> prefix on the stream they came on, or as <c>{"type":"tool",…}</c> objects
/// in JSON mode so stdout stays one JSON object per line.
/// </summary>
internal static class ViaExternalToolCommand
{
    public static async Task<int> RunAsync(ParseResult parse, TextWriter output, TextWriter error)
    {
        OutputFormat format;
        AlterOptions options;
        MySqlSettings settings;
        ExternalTool tool;
        try
        {
            format = AlterCommandDefinition.ParseOutput(parse.GetValue(AlterCommandDefinition.Output)!);
            (tool, options, settings) = Parse(parse);
        }
        catch (Exception bad) when (bad is ArgumentException or FormatException)
        {
            error.WriteLine($"error: {bad.Message}");
            return ExitCodes.UsageError;
        }
        catch (ShadowCopyException bad)
        {
            error.WriteLine($"error: {bad.Message}");
            return bad.ExitCode;
        }

        using var loggerFactory = CliLogging.Create(parse.GetValue(AlterCommandDefinition.Verbose));
        using var signal = new ShutdownSignal(error);
        var (sink, disposable) = AlterCommand.CreateSink(format, output);
        AlterResult result;
        try
        {
            var request = Request(settings, options, tool);
            sink.OnMessage($"note: {tool.Name} keeps writing its shadow after our verification and records no keys, so changes between the verification and the swap are not re-verified (docs/cut-over.md); run without --via for a swap verified up to the last change.");
            foreach (var missing in Build(tool, request, null).NoEquivalent)
            {
                sink.OnMessage($"{tool.Name} has no equivalent, not applied: {missing}");
            }

            var via = new ViaToolSettings
            {
                Tool = tool,
                Arguments = run => Build(tool, request, run).Arguments.Skip(1).ToList(),
                Display = run => string.Join(' ', Build(tool, request, run).Words),
                OnToolLine = ToolLineWriter(format, sink, output, error),
                OnMessage = sink.OnMessage,
            };
            await using var backend = new MySqlViaToolBackend(settings, options, via, loggerFactory.CreateLogger("shadowcopy"));
            result = await new AlterRunner(backend, options, sink, loggerFactory.CreateLogger("shadowcopy")).RunAsync(signal.Token);
        }
        finally
        {
            if (disposable is not null)
            {
                await disposable.DisposeAsync();
            }
        }

        ResultPrinter.Print(result, format, output, error);
        return result.ExitCode;
    }

    internal static (ExternalTool Tool, AlterOptions Options, MySqlSettings Settings) Parse(ParseResult parse)
    {
        var name = parse.GetValue(AlterCommandDefinition.Via)!;
        var tool = ExternalTool.Find(name) ?? throw new ArgumentException($"--via takes pt-osc or gh-ost, not '{name}'");
        var dsn = parse.GetValue(AlterCommandDefinition.Dsn)!;
        if (!dsn.StartsWith("mysql://", StringComparison.Ordinal))
        {
            throw new ArgumentException($"--via {tool.Name} runs {tool.Executable}, which works on MySQL/MariaDB only: --dsn must be mysql://user@host:port/database. For PostgreSQL run shadowcopy alter without --via.");
        }

        if (parse.GetValue(AlterCommandDefinition.Capture) is { } capture)
        {
            throw new ArgumentException($"--capture {capture} does not apply with --via: {tool.Name} captures changes itself.");
        }

        return (tool, AlterCommand.BuildOptions(parse, dsn), MySqlDsn.Parse(dsn));
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
        if (format == OutputFormat.Json && sink is JsonStatusSink json)
        {
            return (tool, isError, line) => json.Write(new Dictionary<string, object?> { ["type"] = "tool", ["tool"] = tool, ["stream"] = isError ? "stderr" : "stdout", ["line"] = line });
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
