using System.Diagnostics;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// Concurrent writers that apply every change to the table under ALTER and, in the same
/// transaction, to its control table: inserts (id from AUTO_INCREMENT), updates of several columns
/// including to NULL, key changes (id → -id), deletes, delete-then-reinsert of a key, and
/// multi-row transactions. Each writer owns the keys with |id| % writers == index, so writers never
/// conflict with each other; every failure is the tool's. Transaction latencies are recorded.
/// </summary>
internal sealed class MyWriterLoad : IAsyncDisposable
{
    private readonly MyTableLayout _layout;
    private readonly int _writers;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly List<double> _latencies = [];
    private long _operations;
    private long _errors;
    private long _deadlocks;

    public MyWriterLoad(MyTableLayout layout, int writers)
    {
        _layout = layout;
        _writers = writers;
    }

    public long Operations => Interlocked.Read(ref _operations);

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Deadlock victims (rolled back in both tables alike, so consistency holds).</summary>
    public long Deadlocks => Interlocked.Read(ref _deadlocks);

    public List<string> ErrorMessages { get; } = [];

    public void StartRecordingLatency()
    {
        lock (_latencies)
        {
            _latencies.Clear();
        }
    }

    public double LatencyPercentile(double p)
    {
        lock (_latencies)
        {
            if (_latencies.Count == 0)
            {
                return 0;
            }

            var sorted = _latencies.Order().ToList();
            return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
        }
    }

    public Task StartAsync(long seededRows)
    {
        for (var w = 0; w < _writers; w++)
        {
            var owned = new List<long>();
            for (var id = 1L; id <= seededRows; id++)
            {
                if (id % _writers == w)
                {
                    owned.Add(id);
                }
            }

            var index = w;
            _tasks.Add(Task.Run(() => WriterAsync(index, owned)));
        }

        return Task.CompletedTask;
    }

    public async Task WaitForOperationsAsync(long count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Operations < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_tasks);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task WriterAsync(int index, List<long> owned)
    {
        var random = new Random(2000 + index);
        var connection = await MyServer.OpenAsync();
        await connection.ExecuteAsync("SET SESSION innodb_lock_wait_timeout = 20");
        var counter = 0;
        while (!_stop.IsCancellationRequested)
        {
            var pending = new List<Action>();
            var watch = Stopwatch.StartNew();
            try
            {
                await connection.ExecuteAsync("START TRANSACTION");
                var ops = random.Next(10) == 0 ? 3 : 1; // some multi-row transactions
                for (var i = 0; i < ops; i++)
                {
                    counter++;
                    await OneOperationAsync(connection, random, index, owned, pending, counter);
                }

                await connection.ExecuteAsync("COMMIT");
                foreach (var apply in pending)
                {
                    apply();
                }

                lock (_latencies)
                {
                    _latencies.Add(watch.Elapsed.TotalMilliseconds);
                }

                Interlocked.Increment(ref _operations);
            }
            catch (MySqlServerException error) when (error.ErrorCode == 1213)
            {
                Interlocked.Increment(ref _deadlocks);
                await connection.ExecuteAsync("ROLLBACK");
            }
            catch (MySqlException error)
            {
                Interlocked.Increment(ref _errors);
                lock (ErrorMessages)
                {
                    if (ErrorMessages.Count < 20)
                    {
                        ErrorMessages.Add(error.Message);
                    }
                }

                if (error is MySqlServerException)
                {
                    await connection.ExecuteAsync("ROLLBACK");
                }
                else
                {
                    await connection.DisposeAsync();
                    connection = await MyServer.OpenAsync();
                }
            }

            await Task.Delay(random.Next(1, 4));
        }

        await connection.DisposeAsync();
    }

    private async Task OneOperationAsync(MyConnection connection, Random random, int writer, List<long> owned, List<Action> pending, int counter)
    {
        var roll = random.Next(100);
        var t = _layout.Table;
        var c = _layout.Control;
        if (owned.Count == 0 || roll < 30)
        {
            var email = random.Next(5) == 0 ? "NULL" : MyServer.Lit($"w{writer}-{counter}-{random.Next()}@example.com");
            var n = random.Next(1000);
            // AUTO_INCREMENT hands out ids; keep those this writer owns, give the others back as deletes.
            await connection.ExecuteAsync($"INSERT INTO {t} (email, n, body, amount, at, status) VALUES ({email}, {n}, 'inserted ✓', 12.50, '2025-05-05 05:05:05.123456', 'ñ')");
            var id = (long)(ulong)(await connection.QueryAsync("SELECT LAST_INSERT_ID()")).Rows[0].GetInt64(0);
            await connection.ExecuteAsync($"INSERT INTO {c} (id, email, n, body, amount, at, status) VALUES ({id}, {email}, {n}, 'inserted ✓', 12.50, '2025-05-05 05:05:05.123456', 'ñ')");
            pending.Add(() => owned.Add(id));
            return;
        }

        var position = random.Next(owned.Count);
        var key = owned[position];
        if (roll < 55)
        {
            var body = random.Next(3) == 0 ? "NULL" : MyServer.Lit(new string('x', random.Next(0, 300)));
            await BothAsync(connection, x => $"UPDATE {x} SET n = n + 1, body = {body}, amount = NULL, status = 'upd' WHERE id = {key}");
        }
        else if (roll < 65)
        {
            await BothAsync(connection, x => $"UPDATE {x} SET email = NULL, at = NULL, status = NULL WHERE id = {key}");
        }
        else if (roll < 75)
        {
            // Key change: the old key must vanish from the shadow and the new one appear.
            var newKey = -key;
            owned[position] = newKey;
            await BothAsync(connection, x => $"UPDATE {x} SET id = {newKey} WHERE id = {key}");
        }
        else if (roll < 87)
        {
            owned.RemoveAt(position);
            await BothAsync(connection, x => $"DELETE FROM {x} WHERE id = {key}");
        }
        else
        {
            var n = random.Next(1000);
            await BothAsync(connection, x => $"DELETE FROM {x} WHERE id = {key}");
            await BothAsync(connection, x => $"INSERT INTO {x} (id, email, n, body, amount, at, status) VALUES ({key}, NULL, {n}, NULL, 1.50, NULL, 'reinserted')");
        }
    }

    private async Task BothAsync(MyConnection connection, Func<string, string> sql)
    {
        await connection.ExecuteAsync(sql(_layout.Table));
        await connection.ExecuteAsync(sql(_layout.Control));
    }
}
