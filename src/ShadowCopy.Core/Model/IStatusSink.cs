namespace ShadowCopy.Core.Model;

/// <summary>Receives status snapshots and phase changes; the CLI renders them.</summary>
public interface IStatusSink
{
    void OnStatus(StatusSnapshot status);

    void OnPhase(Phase from, Phase to, string? detail);

    void OnMessage(string message);
}
