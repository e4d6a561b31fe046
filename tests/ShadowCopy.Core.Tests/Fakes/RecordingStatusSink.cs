using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Tests.Fakes;

/// <summary>Keeps every status, phase change and message; <see cref="OnPhaseEntered"/> lets a test react to a phase.</summary>
internal sealed class RecordingStatusSink : IStatusSink
{
    private readonly Lock _gate = new();

    public List<StatusSnapshot> Statuses { get; } = [];

    public List<Phase> Phases { get; } = [];

    public List<string> Messages { get; } = [];

    public Action<Phase>? OnPhaseEntered { get; set; }

    public void OnStatus(StatusSnapshot status)
    {
        lock (_gate)
        {
            Statuses.Add(status);
        }
    }

    public void OnPhase(Phase from, Phase to, string? detail)
    {
        lock (_gate)
        {
            Phases.Add(to);
        }

        OnPhaseEntered?.Invoke(to);
    }

    public void OnMessage(string message)
    {
        lock (_gate)
        {
            Messages.Add(message);
        }
    }
}
