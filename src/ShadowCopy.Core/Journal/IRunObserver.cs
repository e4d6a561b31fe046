namespace ShadowCopy.Core.Journal;

/// <summary>Receives every <see cref="RunEvent"/> of a run (journal, tests). Must be quick and must not throw.</summary>
public interface IRunObserver
{
    void OnEvent(RunEvent runEvent);
}
