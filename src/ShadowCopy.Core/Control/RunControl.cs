using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Control;

/// <summary>
/// The knobs an operator can turn while a run is going (<c>shadowcopy ctl</c> over the control
/// socket). Thread-safe: the control server writes, the runner reads at the top of every chunk and
/// every idle tick, so a change takes effect within one chunk. Starts from the command line's values.
/// </summary>
public sealed class RunControl
{
    private readonly Lock _gate = new();
    private bool _manualThrottle;
    private int? _requestedChunkSize;
    private TimeSpan _chunkTime;
    private TimeSpan? _maxLag;
    private TimeSpan? _maxAppLatency;
    private bool _appLatencyOff;
    private IReadOnlyList<LoadThreshold> _maxLoad;
    private IReadOnlyList<LoadThreshold> _criticalLoad;
    private bool _postponeCutOver;
    private string? _panicReason;
    private StatusSnapshot? _lastStatus;
    private string? _postponeReason;
    private Revert.Revertibility? _revertible;

    public RunControl(AlterOptions options)
    {
        _chunkTime = options.ChunkTime;
        _maxLag = options.MaxLag;
        _maxAppLatency = options.MaxAppLatency;
        _appLatencyOff = options.AppLatencyOff;
        _maxLoad = options.MaxLoad;
        _criticalLoad = options.CriticalLoad;
        _postponeCutOver = options.PostponeCutOver;
        RevertibleRun = options.Revertible;
    }

    /// <summary>The run was started with --revertible (its swap installs the reverse capture).</summary>
    public bool RevertibleRun { get; }

    /// <summary>Set by the runner once the swap made the table revertible (ADR 0031); null before.</summary>
    public Revert.Revertibility? Revertible
    {
        get { lock (_gate) { return _revertible; } }
        set { lock (_gate) { _revertible = value; } }
    }

    /// <summary>Raised for every operator command received, with the reply sent (journaled by the runner).</summary>
    public event Action<string, string>? CommandReceived;

    /// <summary>Raised when a panic is requested (the runner cancels what it is doing and cleans up).</summary>
    public event Action<string>? PanicRequested;

    public bool ManualThrottle
    {
        get { lock (_gate) { return _manualThrottle; } }
        set { lock (_gate) { _manualThrottle = value; } }
    }

    public TimeSpan ChunkTime
    {
        get { lock (_gate) { return _chunkTime; } }
        set { lock (_gate) { _chunkTime = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), "chunk time must be positive"); } }
    }

    public TimeSpan? MaxLag
    {
        get { lock (_gate) { return _maxLag; } }
        set { lock (_gate) { _maxLag = value; } }
    }

    /// <summary>The operator's application-latency budget; null: the default from the baseline (ADR 0033).</summary>
    public TimeSpan? MaxAppLatency
    {
        get { lock (_gate) { return _maxAppLatency; } }
        set { lock (_gate) { _maxAppLatency = value; } }
    }

    /// <summary>True while latency pacing is switched off (<c>--max-app-latency off</c>, <c>ctl max-app-latency=off</c>).</summary>
    public bool AppLatencyOff
    {
        get { lock (_gate) { return _appLatencyOff; } }
        set { lock (_gate) { _appLatencyOff = value; } }
    }

    public IReadOnlyList<LoadThreshold> MaxLoad
    {
        get { lock (_gate) { return _maxLoad; } }
        set { lock (_gate) { _maxLoad = value; } }
    }

    public IReadOnlyList<LoadThreshold> CriticalLoad
    {
        get { lock (_gate) { return _criticalLoad; } }
        set { lock (_gate) { _criticalLoad = value; } }
    }

    /// <summary>Operator postponement (<c>ctl postpone-cut-over</c> / <c>unpostpone</c>, or <c>--postpone-cut-over</c>).</summary>
    public bool PostponeCutOver
    {
        get { lock (_gate) { return _postponeCutOver; } }
        set { lock (_gate) { _postponeCutOver = value; } }
    }

    /// <summary>Why the cut-over currently waits (flag file, operator, a failing on-before-cut-over hook); null when it does not.</summary>
    public string? PostponeReason
    {
        get { lock (_gate) { return _postponeReason; } }
        set { lock (_gate) { _postponeReason = value; } }
    }

    public string? PanicReason
    {
        get { lock (_gate) { return _panicReason; } }
    }

    /// <summary>The latest status the runner published (for <c>ctl status</c>); null before the first.</summary>
    public StatusSnapshot? LastStatus
    {
        get { lock (_gate) { return _lastStatus; } }
        set { lock (_gate) { _lastStatus = value; } }
    }

    /// <summary>Asks the runner to use this chunk size for the next chunk (then it adapts again from there).</summary>
    public void RequestChunkSize(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        lock (_gate)
        {
            _requestedChunkSize = rows;
        }
    }

    /// <summary>The pending chunk-size request, cleared by reading it.</summary>
    public int? TakeRequestedChunkSize()
    {
        lock (_gate)
        {
            var value = _requestedChunkSize;
            _requestedChunkSize = null;
            return value;
        }
    }

    /// <summary>Abort the run and clean up (before the swap). Idempotent; the first reason wins.</summary>
    public void Panic(string reason)
    {
        lock (_gate)
        {
            if (_panicReason is not null)
            {
                return;
            }

            _panicReason = reason;
        }

        PanicRequested?.Invoke(reason);
    }

    /// <summary>Records an operator command and the reply it got (for the journal).</summary>
    public void NotifyCommand(string command, string reply) => CommandReceived?.Invoke(command, reply);
}
