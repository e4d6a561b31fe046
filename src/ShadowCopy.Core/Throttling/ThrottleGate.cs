using System.Globalization;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Throttling;

/// <summary>
/// Decides, at every tick of the run, whether copying must pause (and why) and whether the run must
/// abort. Inputs: operator throttle, flag files, the user's throttlers, and — read at most every
/// <see cref="AlterOptions.ThrottleCheckInterval"/> through the backend's <see cref="IServerProbe"/> —
/// max-load, critical-load, replica lag and the throttle query. Fails closed: a figure that cannot
/// be read throttles, with the error as the reason. Abort (panic file, <c>ctl panic</c>, critical
/// load past its grace) goes through <see cref="RunControl.Panic"/>.
/// </summary>
public sealed class ThrottleGate
{
    private readonly AlterOptions _options;
    private readonly RunControl _control;
    private readonly IServerProbe? _probe;
    private readonly IReadOnlyList<IThrottler> _throttlers;
    private readonly TimeProvider _time;
    private DateTimeOffset _nextServerCheck = DateTimeOffset.MinValue;
    private string? _serverReason;
    private DateTimeOffset? _criticalSince;

    public ThrottleGate(AlterOptions options, RunControl control, IServerProbe? probe, IReadOnlyList<IThrottler> throttlers, TimeProvider? time = null)
    {
        _options = options;
        _control = control;
        _probe = probe;
        _throttlers = throttlers;
        _time = time ?? TimeProvider.System;
        if (probe is null && (options.MaxLag is not null || options.MaxLoad.Count > 0 || options.CriticalLoad.Count > 0 || options.ThrottleQuery is not null))
        {
            throw new ShadowCopyException("--max-lag, --max-load, --critical-load and --throttle-query need a backend that can read server figures; this one cannot.", ExitCodes.UsageError);
        }
    }

    /// <summary>
    /// The reason copying must pause now, or null. Throws <see cref="OperationCanceledException"/>
    /// (through the run's token) after a panic. Outside the copy, call it with
    /// <paramref name="abortChecksOnly"/> to watch the panic file and critical load only.
    /// </summary>
    public async Task<string?> CheckAsync(bool abortChecksOnly = false, CancellationToken cancellationToken = default)
    {
        if (_options.PanicFlagFile is { } panicFile && File.Exists(panicFile))
        {
            _control.Panic($"panic flag file {panicFile} exists");
        }

        cancellationToken.ThrowIfCancellationRequested();
        string? reason = null;
        if (_probe is not null && _time.GetUtcNow() >= _nextServerCheck)
        {
            _serverReason = await ServerReasonAsync(_probe, cancellationToken).ConfigureAwait(false);
            _nextServerCheck = _time.GetUtcNow() + _options.ThrottleCheckInterval;
        }

        if (abortChecksOnly)
        {
            return null;
        }

        if (_control.ManualThrottle)
        {
            reason = "operator: ctl throttle";
        }

        foreach (var throttler in _throttlers)
        {
            if (reason is not null)
            {
                break;
            }

            reason = await throttler.CheckAsync(cancellationToken).ConfigureAwait(false);
        }

        return reason ?? _serverReason;
    }

    private async Task<string?> ServerReasonAsync(IServerProbe probe, CancellationToken cancellationToken)
    {
        var critical = _control.CriticalLoad;
        var maxLoad = _control.MaxLoad;
        if (critical.Count + maxLoad.Count > 0)
        {
            IReadOnlyDictionary<string, double> values;
            try
            {
                var names = critical.Concat(maxLoad).Select(t => t.Metric).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                values = await probe.ReadLoadAsync(names, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                return $"cannot read server load ({error.Message}); throttling until it can";
            }

            if (Breach(critical, values) is { } criticalBreach)
            {
                var now = _time.GetUtcNow();
                _criticalSince ??= now;
                var left = _options.CriticalLoadGrace - (now - _criticalSince.Value);
                if (left <= TimeSpan.Zero)
                {
                    _control.Panic($"critical load {criticalBreach}");
                    cancellationToken.ThrowIfCancellationRequested();
                }

                return $"critical load {criticalBreach}; aborting in {left.TotalSeconds:0.#} s unless it drops";
            }

            _criticalSince = null;
            if (Breach(maxLoad, values) is { } loadBreach)
            {
                return $"max-load {loadBreach}";
            }
        }

        if (_control.MaxLag is { } maxLag)
        {
            IReadOnlyList<ReplicaLag> lags;
            try
            {
                lags = await probe.ReadReplicaLagAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                return $"cannot read replica lag ({error.Message}); throttling until it can";
            }

            foreach (var lag in lags)
            {
                if (lag.Lag is null)
                {
                    return $"replica {lag.Replica} unreadable ({lag.Error ?? "no lag figure"}); throttling until it can be read";
                }

                if (lag.Lag > maxLag)
                {
                    return $"replica {lag.Replica} lags {lag.Lag.Value.TotalSeconds:0.###} s > max-lag {maxLag.TotalSeconds:0.###} s";
                }
            }
        }

        if (_options.ThrottleQuery is { } query)
        {
            try
            {
                var value = await probe.RunThrottleQueryAsync(query, cancellationToken).ConfigureAwait(false);
                if (value is { } v && v != 0)
                {
                    return $"throttle query returned {v.ToString(CultureInfo.InvariantCulture)}";
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                return $"throttle query failed ({error.Message}); throttling until it succeeds";
            }
        }

        return null;
    }

    private static string? Breach(IReadOnlyList<LoadThreshold> limits, IReadOnlyDictionary<string, double> values)
    {
        foreach (var limit in limits)
        {
            if (values.TryGetValue(limit.Metric, out var value) && value > limit.Limit)
            {
                return $"{limit.Metric}={value.ToString(CultureInfo.InvariantCulture)} > {limit.Limit.ToString(CultureInfo.InvariantCulture)}";
            }
        }

        return null;
    }
}
