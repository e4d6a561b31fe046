using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Npgsql;
using NpgsqlTypes;

namespace ShadowCopy.Load;

/// <summary>
/// Steady write load for the demo and the end-to-end benchmarks: inserts, updates (some to NULL)
/// and deletes against a table shaped like the demo's, at a fixed total rate, until SIGTERM/SIGINT,
/// a stop file, or --duration. Prints one summary line: operations, errors (lock timeouts counted
/// apart) and latency percentiles, so a run's stall at cut-over is visible in p99 and max.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = LoadOptions.Parse(args);
        using var stop = new CancellationTokenSource(options.Duration);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        await using var source = NpgsqlDataSource.Create(options.ConnectionString);
        var stats = new LoadStats();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, options.Workers)
            .Select(w => Task.Run(() => WorkerAsync(source, options, w, stats, stop.Token)))
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
        return 0;
    }

    private static async Task WorkerAsync(NpgsqlDataSource source, LoadOptions options, int worker, LoadStats stats, CancellationToken stop)
    {
        var random = new Random(worker * 7919);
        var interval = TimeSpan.FromSeconds(options.Workers / (double)options.Rate);
        var next = Stopwatch.GetTimestamp();
        await using var connection = await source.OpenConnectionAsync(stop);
        while (!stop.IsCancellationRequested)
        {
            var roll = random.Next(100);
            var id = random.Next(1, options.MaxId + 1);
            var sql = roll switch
            {
                < 40 => $"INSERT INTO {options.Table} (customer_id, doc, placed_at, amount, note) VALUES ($1, $2, now(), $3, $4)",
                < 80 => $"UPDATE {options.Table} SET amount = $3, note = $4, doc = $2 WHERE id = $1",
                _ => $"DELETE FROM {options.Table} WHERE id = $1",
            };
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = roll < 40 ? random.Next(1, 50_000) : (long)id });
            if (roll < 80)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = random.Next(5) == 0 ? DBNull.Value : $"{{\"w\": {worker}, \"tag\": \"ünï ✓\"}}", NpgsqlDbType = NpgsqlDbType.Jsonb });
                command.Parameters.Add(new NpgsqlParameter { Value = Math.Round((decimal)random.NextDouble() * 1000, 2) });
                command.Parameters.Add(new NpgsqlParameter { Value = random.Next(4) == 0 ? DBNull.Value : "load ✓ çà" });
            }

            var started = Stopwatch.GetTimestamp();
            try
            {
                await command.ExecuteNonQueryAsync(CancellationToken.None);
                stats.Record(Stopwatch.GetElapsedTime(started));
            }
            catch (PostgresException error)
            {
                stats.Error(error.SqlState == "55P03" || error.SqlState == "57014", error.MessageText);
            }
            catch (NpgsqlException error)
            {
                stats.Error(false, error.Message);
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

internal sealed class LoadStats
{
    private readonly List<double> _latenciesMs = [];
    private readonly Lock _gate = new();
    private long _errors;
    private long _lockErrors;
    private string? _firstError;

    public void Record(TimeSpan latency)
    {
        lock (_gate)
        {
            _latenciesMs.Add(latency.TotalMilliseconds);
        }
    }

    public void Error(bool lockWait, string message)
    {
        lock (_gate)
        {
            if (lockWait)
            {
                _lockErrors++;
            }
            else
            {
                _errors++;
                _firstError ??= message;
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
                $"load: ops={sorted.Length} errors={_errors} lock_wait_errors={_lockErrors} rate={sorted.Length / Math.Max(1, elapsed.TotalSeconds):0.0}/s p50_ms={P(0.50):0.0} p95_ms={P(0.95):0.0} p99_ms={P(0.99):0.0} max_ms={(sorted.Length == 0 ? 0 : sorted[^1]):0.0}{(_firstError is null ? string.Empty : $" first_error=\"{_firstError}\"")}");
        }
    }
}
