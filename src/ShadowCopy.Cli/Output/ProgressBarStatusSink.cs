using System.Globalization;
using ShadowCopy.Core.Engine;
using Spectre.Console;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli.Output;

/// <summary>
/// A live progress bar on a terminal (Spectre.Console). Status arrives from the engine's loop;
/// a background task renders it so a slow terminal never slows the copy.
/// </summary>
internal sealed class ProgressBarStatusSink : IStatusSink, IAsyncDisposable
{
    private readonly IAnsiConsole _console;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _render;
    private StatusSnapshot? _latest;

    public ProgressBarStatusSink(IAnsiConsole console)
    {
        _console = console;
        _render = Task.Run(RenderAsync);
    }

    public void OnStatus(StatusSnapshot status) => _latest = status;

    public void OnPhase(Phase from, Phase to, string? detail)
    {
        if (StatusText.ShowsPhaseLine(to))
        {
            _console.MarkupLine($"[grey]phase:[/] [bold]{Markup.Escape(StatusText.PhaseName(to))}[/]{(detail is null ? string.Empty : " " + Markup.Escape($"({detail})"))}");
        }
    }

    public void OnMessage(string message) => _console.MarkupLine(Markup.Escape(message));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _render;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RenderAsync()
    {
        await _console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("copy", maxValue: 1);
                while (!_stop.IsCancellationRequested)
                {
                    if (_latest is { } s)
                    {
                        task.MaxValue = Math.Max(1, s.RowsEstimated);
                        task.Value = Math.Min(task.MaxValue, s.RowsCopied);
                        task.Description = Markup.Escape(string.Create(
                            CultureInfo.InvariantCulture,
                            $"{StatusText.PhaseName(s.Phase),-12} {s.RowsCopied:N0}/{s.RowsEstimated:N0} rows  {s.RowsPerSecond:N0}/s  ETA {StatusText.Duration(s.Eta)}  {(s.Phase == Phase.Backfilling ? $"updated {s.ChangesApplied:N0}" : $"backlog {s.ChangeBacklog:N0}")}{(s.ThrottleReason is null ? string.Empty : "  throttled")}"));
                    }

                    try
                    {
                        await Task.Delay(200, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }

                if (_latest is { } last)
                {
                    task.Value = task.MaxValue;
                    task.Description = Markup.Escape($"{StatusText.PhaseName(last.Phase)} {last.RowsCopied:N0} rows");
                }
            });
    }
}
