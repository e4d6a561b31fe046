using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli.Output;

/// <summary>
/// A sink for what is built before the real one may exist (the live bar starts drawing when it is
/// created): forwards to <see cref="Target"/> once set, drops what comes before.
/// </summary>
internal sealed class LateStatusSink : IStatusSink
{
    public IStatusSink? Target { get; set; }

    public void OnStatus(StatusSnapshot status) => Target?.OnStatus(status);

    public void OnPhase(Phase from, Phase to, string? detail) => Target?.OnPhase(from, to, detail);

    public void OnMessage(string message) => Target?.OnMessage(message);
}
