using System.Globalization;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Throttling;

/// <summary>
/// The application-latency guard (issue 20, docs/adr/0033-app-latency-guard.md): times a primary-key
/// read on the table itself (<see cref="IServerProbe.ProbeKeyReadAsync"/>, on the probe's own
/// session), takes the median of <see cref="BaselineProbes"/> reads before the copy as the baseline,
/// then keeps the median of the last <see cref="WindowSize"/> reads, one every <see cref="Interval"/>,
/// in the background. While that median is over the budget (<see cref="RunControl.MaxAppLatency"/>,
/// or by default the larger of <see cref="BaselineFactor"/> × baseline and <see cref="Floor"/>),
/// <see cref="PaceAsync"/> sleeps after each unit of work in proportion to the overshoot, at most
/// <see cref="MaxPaceFactor"/> × the work's own time: the run slows, it never stops.
/// </summary>
public sealed class AppLatencyGuard : IAsyncDisposable
{
    public const int BaselineProbes = 20;
    public const int WindowSize = 8;
    public const double BaselineFactor = 3;
    public const double MaxPaceFactor = 4;
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan Floor = TimeSpan.FromMilliseconds(5);

    private readonly Func<CancellationToken, Task<TimeSpan>> _probe;
    private readonly RunControl _control;
    private readonly Func<TimeSpan, CancellationToken, Task> _sleep;
    private readonly Lock _gate = new();
    private readonly Queue<TimeSpan> _window = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private TimeSpan _paced;
    private string? _lastError;

    /// <param name="probe">One timed key read; throws when the read fails.</param>
    /// <param name="control">Where the operator's budget lives (<c>ctl max-app-latency</c>).</param>
    /// <param name="sleep">How to wait (tests record instead of sleeping); Task.Delay by default.</param>
    public AppLatencyGuard(Func<CancellationToken, Task<TimeSpan>> probe, RunControl control, Func<TimeSpan, CancellationToken, Task>? sleep = null)
    {
        _probe = probe;
        _control = control;
        _sleep = sleep ?? ((delay, token) => Task.Delay(delay, token));
    }

    /// <summary>Median of the reads before the copy; null until <see cref="MeasureBaselineAsync"/> succeeded.</summary>
    public TimeSpan? Baseline { get; private set; }

    /// <summary>Median of the last <see cref="WindowSize"/> reads (the baseline's until the first).</summary>
    public TimeSpan? Measured
    {
        get
        {
            lock (_gate)
            {
                return _window.Count == 0 ? Baseline : Median(_window);
            }
        }
    }

    /// <summary>The budget in force: the operator's, else max(3 × baseline, 5 ms); null while off or unmeasured.</summary>
    public TimeSpan? Budget => _control.AppLatencyOff ? null : _control.MaxAppLatency ?? DefaultBudget(Baseline);

    /// <summary>Total time slept by <see cref="PaceAsync"/>.</summary>
    public TimeSpan Paced
    {
        get { lock (_gate) { return _paced; } }
    }

    /// <summary>True while the measured latency is over the budget (the next <see cref="PaceAsync"/> sleeps).</summary>
    public bool Pacing => Measured is { } m && Budget is { } b && m > b;

    /// <summary>The default budget for a baseline: max(3 × baseline, <see cref="Floor"/>); null without a baseline.</summary>
    public static TimeSpan? DefaultBudget(TimeSpan? baseline) =>
        baseline is { } b ? TimeSpan.FromTicks(Math.Max((long)(b.Ticks * BaselineFactor), Floor.Ticks)) : null;

    /// <summary>How long to sleep after <paramref name="work"/>: work × min(4, measured/budget − 1) when over budget, else zero.</summary>
    public static TimeSpan PaceFor(TimeSpan work, TimeSpan? measured, TimeSpan? budget)
    {
        if (measured is not { } m || budget is not { } b || b <= TimeSpan.Zero || m <= b || work <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        var factor = Math.Min(MaxPaceFactor, ((double)m.Ticks / b.Ticks) - 1);
        return TimeSpan.FromTicks((long)(work.Ticks * factor));
    }

    /// <summary>
    /// Measures the baseline (median of <see cref="BaselineProbes"/> reads). A read that fails makes
    /// the guard unusable for this run: returns the error for the caller to warn about, else null.
    /// </summary>
    public async Task<string?> MeasureBaselineAsync(CancellationToken cancellationToken)
    {
        var reads = new List<TimeSpan>(BaselineProbes);
        try
        {
            for (var i = 0; i < BaselineProbes; i++)
            {
                reads.Add(await _probe(cancellationToken).ConfigureAwait(false));
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return error.Message;
        }

        Baseline = Median(reads);
        return null;
    }

    /// <summary>
    /// The guard of a run, baseline measured and background reads started; null when switched off
    /// (<c>--max-app-latency off</c>) or when the backend cannot time a key read (then a message says
    /// so, and the run goes on unguarded rather than failing).
    /// </summary>
    public static async Task<AppLatencyGuard?> StartForAsync(IServerProbe? probe, IReadOnlyList<string> keyColumns, RunControl control, Action<string> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(message);
        if (control.AppLatencyOff || probe is null || keyColumns.Count == 0)
        {
            return null;
        }

        var guard = new AppLatencyGuard(token => probe.ProbeKeyReadAsync(keyColumns, token), control);
        if (await guard.MeasureBaselineAsync(cancellationToken).ConfigureAwait(false) is { } error)
        {
            await guard.DisposeAsync().ConfigureAwait(false);
            message($"warning: app-latency guard off for this run: cannot time a key read ({error})");
            return null;
        }

        message($"app latency baseline {Ms(guard.Baseline)} (median of {BaselineProbes} key reads); budget {Ms(guard.Budget)}{(control.MaxAppLatency is null ? " (3x baseline, at least 5 ms)" : " (--max-app-latency)")}");
        guard.Start();
        return guard;
    }

    /// <summary>Starts the background reads (one every <see cref="Interval"/>) until disposed.</summary>
    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    /// <summary>One read into the window (the background loop calls it; tests call it directly).</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        try
        {
            var read = await _probe(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _window.Enqueue(read);
                while (_window.Count > WindowSize)
                {
                    _window.Dequeue();
                }

                _lastError = null;
            }
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            // A failed read is no figure: keep the window as it was (the probe session reopens next time).
            lock (_gate)
            {
                _lastError = error.Message;
            }
        }
    }

    /// <summary>After one unit of work that took <paramref name="work"/>: sleeps in proportion when over budget; returns the sleep.</summary>
    public async Task<TimeSpan> PaceAsync(TimeSpan work, CancellationToken cancellationToken)
    {
        var wait = PaceFor(work, Measured, Budget);
        if (wait <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        await _sleep(wait, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            _paced += wait;
        }

        return wait;
    }

    /// <summary>"app latency 7.1 ms / budget 6 ms, pacing" for status lines.</summary>
    public string Describe()
    {
        if (Budget is not { } budget)
        {
            return _control.AppLatencyOff ? "app latency guard off" : "app latency not measured";
        }

        var text = string.Create(CultureInfo.InvariantCulture, $"app latency {Ms(Measured)} / budget {Ms(budget)}{(Pacing ? ", pacing" : string.Empty)}");
        string? error;
        lock (_gate)
        {
            error = _lastError;
        }

        return error is null ? text : $"{text} (last read failed: {error})";
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    /// <summary>The probe's statement: the first row in key order, one index descent (identifiers already quoted).</summary>
    public static string KeyReadSql(string quotedTable, IEnumerable<string> quotedKeyColumns)
    {
        var key = string.Join(", ", quotedKeyColumns);
        return $"SELECT {key} FROM {quotedTable} ORDER BY {key} LIMIT 1";
    }

    /// <summary>", app latency baseline 1.2 ms, budget 5.0 ms, paced 3.4 s" for result lines; empty when the guard did not run.</summary>
    public static string Summary(TimeSpan? baseline, TimeSpan? budget, TimeSpan paced) =>
        baseline is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $", app latency baseline {Ms(baseline)}, budget {Ms(budget)}, paced {paced.TotalSeconds:0.0} s");

    internal static string Ms(TimeSpan? value) =>
        value is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v.TotalMilliseconds:0.0##} ms") : "-";

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
            await SampleAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> values)
    {
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
