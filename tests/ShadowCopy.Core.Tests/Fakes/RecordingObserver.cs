using ShadowCopy.Core.Journal;

namespace ShadowCopy.Core.Tests.Fakes;

/// <summary>Keeps every run event (thread-safe).</summary>
internal sealed class RecordingObserver : IRunObserver
{
    private readonly Lock _gate = new();
    private readonly List<RunEvent> _events = [];

    public IReadOnlyList<RunEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public void OnEvent(RunEvent runEvent)
    {
        lock (_gate)
        {
            _events.Add(runEvent);
        }
    }
}
