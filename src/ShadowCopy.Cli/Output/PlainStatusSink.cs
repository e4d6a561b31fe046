using System.Globalization;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli.Output;

/// <summary>Periodic plain status lines, for logs and pipes (no terminal control codes).</summary>
internal sealed class PlainStatusSink(TextWriter writer) : IStatusSink
{
    public void OnStatus(StatusSnapshot status) => writer.WriteLine(StatusText.Line(status));

    public void OnPhase(Phase from, Phase to, string? detail)
    {
        if (StatusText.ShowsPhaseLine(to))
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"phase: {StatusText.PhaseName(to)}{(detail is null ? string.Empty : $" ({detail})")}"));
        }
    }

    public void OnMessage(string message) => writer.WriteLine(message);
}
