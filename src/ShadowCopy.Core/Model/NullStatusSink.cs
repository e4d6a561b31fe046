namespace ShadowCopy.Core.Model;

public sealed class NullStatusSink : IStatusSink
{
    public static readonly NullStatusSink Instance = new();

    public void OnStatus(StatusSnapshot status)
    {
    }

    public void OnPhase(Phase from, Phase to, string? detail)
    {
    }

    public void OnMessage(string message)
    {
    }
}
