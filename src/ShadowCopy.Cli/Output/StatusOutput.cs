using ShadowCopy.Core.Model;
using Spectre.Console;

namespace ShadowCopy.Cli.Output;

/// <summary>
/// Where a run's progress goes while it runs: JSON status lines, a live progress bar on a terminal
/// (on stderr, so stdout stays a clean record even when piped), or plain lines. Dispose it before the
/// result is printed: the bar must be finished first.
/// </summary>
internal sealed class StatusOutput : IAsyncDisposable
{
    private StatusOutput()
    {
    }

    public required IStatusSink Sink { get; init; }

    public static StatusOutput Open(OutputFormat format, TextWriter output) => new() { Sink = CreateSink(format, output) };

    /// <summary>No progress at all (a migration's dry run prints only its table).</summary>
    public static StatusOutput None() => new() { Sink = new NullStatusSink() };

    /// <summary>Finishes the progress bar, if that is what the sink is.</summary>
    public ValueTask DisposeAsync() => (Sink as IAsyncDisposable)?.DisposeAsync() ?? ValueTask.CompletedTask;

    private static IStatusSink CreateSink(OutputFormat format, TextWriter output)
    {
        if (format == OutputFormat.Json)
        {
            return new JsonStatusSink(output);
        }

        if (!Console.IsErrorRedirected && ReferenceEquals(output, Console.Out))
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            if (console.Profile.Capabilities.Interactive)
            {
                return new ProgressBarStatusSink(console);
            }
        }

        return new PlainStatusSink(output);
    }
}
