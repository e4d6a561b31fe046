using System.Collections.Concurrent;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.IntegrationTests.Infrastructure;

internal sealed class RecordingStatusSink : IStatusSink
{
    public ConcurrentQueue<Phase> Phases { get; } = new();

    public ConcurrentQueue<StatusSnapshot> Statuses { get; } = new();

    public ConcurrentQueue<string> Messages { get; } = new();

    public Action<Phase>? OnEnter { get; set; }

    /// <summary>Called on the runner's own flow for every status line, before it returns to the run.</summary>
    public Action<StatusSnapshot>? OnSnapshot { get; set; }

    public void OnStatus(StatusSnapshot status)
    {
        Statuses.Enqueue(status);
        OnSnapshot?.Invoke(status);
    }

    public void OnPhase(Phase from, Phase to, string? detail)
    {
        Phases.Enqueue(to);
        OnEnter?.Invoke(to);
    }

    public void OnMessage(string message) => Messages.Enqueue(message);
}
