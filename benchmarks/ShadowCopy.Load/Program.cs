using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ShadowCopy.Load;

/// <summary>
/// Steady write load for the demo and the end-to-end benchmarks: inserts, updates (some to NULL)
/// and deletes at a fixed total rate, until SIGTERM/SIGINT, a stop file, or --duration, against
/// PostgreSQL (profiles orders, sbtest) or MySQL/MariaDB (--engine mysql, profile sbtest). Prints one
/// summary line: operations, errors (lock timeouts and deadlocks counted apart) and latency
/// percentiles, so a run's stall at cut-over is visible in p99 and max. With --slow-log FILE, every
/// operation of at least --slow-ms (default 10) is written there with its start time.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = LoadOptions.Parse(args);
        using var stop = new CancellationTokenSource(options.Duration);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        var stats = new LoadStats { SlowMs = options.SlowLog is null ? double.MaxValue : options.SlowMs };
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, options.Workers)
            .Select(w => Task.Run(() => WorkerAsync(options, w, stats, stop.Token)))
            .ToArray();
        while (!stop.IsCancellationRequested)
        {
            if (options.StopFile is not null && File.Exists(options.StopFile))
            {
                await stop.CancelAsync();
                break;
            }

            try
            {
                await Task.Delay(100, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Task.WhenAll(workers);
        Console.WriteLine(stats.Summary(clock.Elapsed));
        if (options.SlowLog is not null)
        {
            await File.WriteAllLinesAsync(options.SlowLog, stats.SlowLines());
        }

        return 0;
    }

    private static async Task WorkerAsync(LoadOptions options, int worker, LoadStats stats, CancellationToken stop)
    {
        var random = new Random(worker * 7919);
        var interval = TimeSpan.FromSeconds(options.Workers / (double)options.Rate);
        var next = Stopwatch.GetTimestamp();
        await using var session = options.Engine == "mysql"
            ? await MySqlLoadSession.OpenAsync(options, worker, stop)
            : await PostgresLoadSession.OpenAsync(options, worker, stop);
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            var startedAt = DateTimeOffset.UtcNow;
            if (await session.RunOperationAsync(random, stats))
            {
                stats.Record(Stopwatch.GetElapsedTime(started), startedAt);
            }

            next += (long)(interval.TotalSeconds * Stopwatch.Frequency);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), next);
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }
}
