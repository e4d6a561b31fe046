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
        var tables = options.Control is null ? new[] { options.Table } : [options.Table, options.Control];
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                // One transaction per operation; with --control the same change is applied to the
                // control table in the same transaction, so checksums prove what the table must hold.
                await using var tx = await connection.BeginTransactionAsync(CancellationToken.None);
                var statements = options.Profile == "sbtest" ? SbtestOperation(random, options, worker) : OrdersOperation(random, options, worker);
                long? insertedId = null;
                foreach (var table in tables)
                {
                    foreach (var (sql, args) in statements)
                    {
                        await using var command = new NpgsqlCommand(sql.Replace("{t}", table, StringComparison.Ordinal), connection, tx);
                        foreach (var arg in args)
                        {
                            command.Parameters.Add(arg is NpgsqlParameter p ? p.Clone() : new NpgsqlParameter { Value = arg ?? DBNull.Value });
                        }

                        if (sql.Contains("RETURNING", StringComparison.Ordinal))
                        {
                            insertedId = (long)(await command.ExecuteScalarAsync(CancellationToken.None))!;
                            // The control gets the same id the table's sequence produced.
                            statements = [.. statements.Select(s => s.Sql.Contains("RETURNING", StringComparison.Ordinal)
                                ? (s.Sql.Replace("INSERT INTO {t} (", "INSERT INTO {t} (id, ", StringComparison.Ordinal).Replace("VALUES (", $"VALUES ({insertedId}, ", StringComparison.Ordinal).Replace(" RETURNING id", string.Empty, StringComparison.Ordinal), s.Args)
                                : s)];
                        }
                        else
                        {
                            await command.ExecuteNonQueryAsync(CancellationToken.None);
                        }
                    }
                }

                await tx.CommitAsync(CancellationToken.None);
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

    /// <summary>The demo's table: 40% insert, 40% update (some to NULL), 20% delete.</summary>
    private static List<(string Sql, object?[] Args)> OrdersOperation(Random random, LoadOptions options, int worker)
    {
        var roll = random.Next(100);
        long id = random.Next(1, options.MaxId + 1);
        var doc = new NpgsqlParameter { Value = random.Next(5) == 0 ? DBNull.Value : $"{{\"w\": {worker}, \"tag\": \"ünï ✓\"}}", NpgsqlDbType = NpgsqlDbType.Jsonb };
        var amount = Math.Round((decimal)random.NextDouble() * 1000, 2);
        object? note = random.Next(4) == 0 ? null : "load ✓ çà";
        return roll switch
        {
            < 40 => [("INSERT INTO {t} (customer_id, doc, placed_at, amount, note) VALUES ($1, $2, now(), $3, $4) RETURNING id", [random.Next(1, 50_000), doc, amount, note])],
            < 80 => [("UPDATE {t} SET amount = $3, note = $4, doc = $2 WHERE id = $1", [id, doc, amount, note])],
            _ => [("DELETE FROM {t} WHERE id = $1", [id])],
        };
    }

    /// <summary>sysbench oltp_write_only's statements (index update, non-index update, delete+insert) on the bench table.</summary>
    private static List<(string Sql, object?[] Args)> SbtestOperation(Random random, LoadOptions options, int worker)
    {
        long id = random.Next(1, options.MaxId + 1);
        var c = new string((char)('a' + random.Next(26)), 119) + worker;
        object? note = random.Next(3) == 0 ? null : "émoji 🚀 " + random.Next(1000);
        return
        [
            ("UPDATE {t} SET k = k + 1 WHERE id = $1", [id]),
            ("UPDATE {t} SET c = $2, note = $3 WHERE id = $1", [id, c, note]),
            ("DELETE FROM {t} WHERE id = $1", [id]),
            ("INSERT INTO {t} (id, k, c, pad, doc, created, amount, note) VALUES ($1, $2, $3, $4, $5, now(), $6, $7)",
                [id, random.Next(1, 1_000_000), c, new string('p', 59), new NpgsqlParameter { Value = "{\"s\": 1}", NpgsqlDbType = NpgsqlDbType.Jsonb }, 12.34m, note]),
        ];
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
