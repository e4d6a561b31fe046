using System.Globalization;

namespace ShadowCopy.Load;

/// <summary>Latencies of committed transactions and counts of failed ones, summarised in one line.</summary>
internal sealed class LoadStats
{
    private readonly List<double> _latenciesMs = [];
    private readonly List<(double StartedUnix, double Ms)> _slow = [];
    private readonly Lock _gate = new();
    private long _errors;
    private long _lockErrors;
    private long _deadlocks;
    private string? _firstError;

    /// <summary>Operations at least this slow are kept with their start time (--slow-log), to place them in a run's phases.</summary>
    public double SlowMs { get; init; } = double.MaxValue;

    public void Record(TimeSpan latency, DateTimeOffset started)
    {
        lock (_gate)
        {
            _latenciesMs.Add(latency.TotalMilliseconds);
            if (latency.TotalMilliseconds >= SlowMs)
            {
                _slow.Add((started.ToUnixTimeMilliseconds() / 1000.0, latency.TotalMilliseconds));
            }
        }
    }

    /// <summary>"unix_start_seconds latency_ms" per slow operation, in start order.</summary>
    public IEnumerable<string> SlowLines()
    {
        lock (_gate)
        {
            return _slow.OrderBy(s => s.StartedUnix).Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.StartedUnix:0.000} {s.Ms:0.0}")).ToList();
        }
    }

    public void Error(LoadErrorKind kind, string message)
    {
        lock (_gate)
        {
            switch (kind)
            {
                case LoadErrorKind.LockWait:
                    _lockErrors++;
                    break;
                case LoadErrorKind.Deadlock:
                    _deadlocks++;
                    break;
                default:
                    _errors++;
                    _firstError ??= message;
                    break;
            }
        }
    }

    public string Summary(TimeSpan elapsed)
    {
        lock (_gate)
        {
            var sorted = _latenciesMs.Order().ToArray();
            double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
            return string.Create(
                CultureInfo.InvariantCulture,
                $"load: ops={sorted.Length} errors={_errors} lock_wait_errors={_lockErrors} deadlocks={_deadlocks} rate={sorted.Length / Math.Max(1, elapsed.TotalSeconds):0.0}/s p50_ms={P(0.50):0.0} p95_ms={P(0.95):0.0} p99_ms={P(0.99):0.0} max_ms={(sorted.Length == 0 ? 0 : sorted[^1]):0.0}{(_firstError is null ? string.Empty : $" first_error=\"{_firstError}\"")}");
        }
    }
}
