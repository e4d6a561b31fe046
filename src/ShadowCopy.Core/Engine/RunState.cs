using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Logging;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Engine;

/// <summary>The run's phase and counters. Phase changes go through <see cref="EnterPhase"/> only.</summary>
internal sealed class RunState(IStatusSink sink, ILogger logger)
{
    public Phase Phase { get; private set; } = Phase.Starting;

    public long RowsCopied { get; set; }

    public long RowsEstimated { get; set; }

    public long ChangesApplied { get; set; }

    public long Backlog { get; set; }

    public int ChunksCopied { get; set; }

    /// <summary>Rows of the last chunk copied (shows an operator's chunk-size change took effect).</summary>
    public long LastChunkSize { get; set; }

    public string? ThrottleReason { get; set; }

    /// <summary>Raised after every phase change (from, to, detail); the runner journals it.</summary>
    public Action<Phase, Phase, string?>? Changed { get; set; }

    public void EnterPhase(Phase next, string? detail = null)
    {
        if (next == Phase)
        {
            return;
        }

        var previous = Phase;
        Phase = next;
        Log.PhaseChanged(logger, previous, next, detail is null ? string.Empty : $" ({detail})");
        sink.OnPhase(previous, next, detail);
        Changed?.Invoke(previous, next, detail);
    }
}
