using Npgsql;
using NpgsqlTypes;

namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>
/// Concurrent writers that apply every change to the table under ALTER and, in the same
/// transaction, to a control table. When the run is over both must hold the same rows: any row
/// the tool lost, duplicated or left stale shows up in the checksum comparison.
/// Operations: inserts (id from the table's sequence), updates of several columns including to
/// NULL, key changes (id → -id), deletes, delete-then-reinsert of the same key, and multi-row
/// transactions. Each writer owns the keys with id % writers == index, so writers never
/// deadlock each other and every failure is the tool's.
/// </summary>
internal sealed class PgWriterLoad : IAsyncDisposable
{
    private readonly PgTableLayout _layout;
    private readonly int _writers;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private long _operations;
    private long _errors;

    public PgWriterLoad(PgTableLayout layout, int writers)
    {
        _layout = layout;
        _writers = writers;
    }

    public long Operations => Interlocked.Read(ref _operations);

    public long Errors => Interlocked.Read(ref _errors);

    public List<string> ErrorMessages { get; } = [];

    public async Task StartAsync(long seededRows)
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

        await Task.Yield();
    }

    /// <summary>Waits until at least <paramref name="count"/> operations have committed.</summary>
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
        var random = new Random(1000 + index);
        await using var connection = await PgServer.OpenAsync();
        var counter = 0;
        while (!_stop.IsCancellationRequested)
        {
            await using var tx = await connection.BeginTransactionAsync();
            var pending = new List<Action>();
            try
            {
                var ops = random.Next(10) == 0 ? 3 : 1; // some multi-row transactions
                for (var i = 0; i < ops; i++)
                {
                    await OneOperationAsync(connection, tx, random, index, owned, pending, ref counter);
                }

                await tx.CommitAsync();
                foreach (var apply in pending)
                {
                    apply();
                }

                Interlocked.Increment(ref _operations);
            }
            catch (Exception error) when (error is NpgsqlException or InvalidOperationException)
            {
                Interlocked.Increment(ref _errors);
                lock (ErrorMessages)
                {
                    if (ErrorMessages.Count < 20)
                    {
                        ErrorMessages.Add(error.Message);
                    }
                }

                try
                {
                    await tx.RollbackAsync();
                }
                catch (NpgsqlException)
                {
                }
            }

            await Task.Delay(random.Next(1, 4));
        }
    }

    private Task OneOperationAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Random random, int writer, List<long> owned, List<Action> pending, ref int counter)
    {
        var roll = random.Next(100);
        var l = _layout;
        if (owned.Count == 0 || roll < 30)
        {
            counter++;
            var email = random.Next(5) == 0 ? null : $"w{writer}-{counter}-{random.Next()}@example.com";
            return InsertAsync(connection, tx, owned, pending, email, random);
        }

        var position = random.Next(owned.Count);
        var id = owned[position];
        if (roll < 55)
        {
            var doc = random.Next(4) == 0 ? null : $"{{\"w\": {writer}, \"v\": {random.Next()}, \"s\": \"ünïcødé ✓\"}}";
            var body = random.Next(3) == 0 ? null : new string('x', random.Next(0, 300));
            return BothAsync(connection, tx, t => $"UPDATE {t} SET {l.N} = {l.N} + 1, {l.Doc} = $2, {l.Amount} = NULL, {l.Body} = $3 WHERE {l.Id} = $1",
                id, Jsonb(doc), body);
        }

        if (roll < 65)
        {
            return BothAsync(connection, tx, t => $"UPDATE {t} SET {l.Email} = NULL, {l.At} = NULL WHERE {l.Id} = $1", id);
        }

        if (roll < 75)
        {
            // Key change: the old key must vanish from the shadow and the new one appear.
            var newId = -id;
            owned[position] = newId;
            pending.Add(() => { });
            return BothAsync(connection, tx, t => $"UPDATE {t} SET {l.Id} = $2 WHERE {l.Id} = $1", id, newId);
        }

        if (roll < 87)
        {
            owned.RemoveAt(position);
            return BothAsync(connection, tx, t => $"DELETE FROM {t} WHERE {l.Id} = $1", id);
        }

        // Delete and re-insert the same key in one transaction.
        return DeleteReinsertAsync(connection, tx, id, random);
    }

    private async Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, List<long> owned, List<Action> pending, string? email, Random random)
    {
        var l = _layout;
        var at = DateTime.UtcNow.AddMicroseconds(random.Next(1000));
        var amount = random.Next(3) == 0 ? (decimal?)null : Math.Round((decimal)random.NextDouble() * 10000, 2);
        await using var insert = new NpgsqlCommand($"INSERT INTO {l.Table} ({l.Email}, {l.N}, {l.Doc}, {l.At}, {l.Amount}, {l.Body}) VALUES ($1, $2, $3, $4, $5, $6) RETURNING {l.Id}", connection, tx);
        AddParameters(insert, email, random.Next(1000), Jsonb("{\"new\": true}"), at, amount, "inserted ✓");
        var id = (long)(await insert.ExecuteScalarAsync())!;
        await using var control = new NpgsqlCommand($"INSERT INTO {l.Control} ({l.Id}, {l.Email}, {l.N}, {l.Doc}, {l.At}, {l.Amount}, {l.Body}) VALUES ($1, $2, $3, $4, $5, $6, $7)", connection, tx);
        AddParameters(control, id, email, insert.Parameters[1].Value, Jsonb("{\"new\": true}"), at, amount, "inserted ✓");
        await control.ExecuteNonQueryAsync();
        pending.Add(() => owned.Add(id));
    }

    private async Task DeleteReinsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long id, Random random)
    {
        var l = _layout;
        var n = random.Next(1000);
        await BothAsync(connection, tx, t => $"DELETE FROM {t} WHERE {l.Id} = $1", id);
        await BothAsync(connection, tx, t => $"INSERT INTO {t} ({l.Id}, {l.Email}, {l.N}, {l.Doc}, {l.At}, {l.Amount}, {l.Body}) VALUES ($1, NULL, $2, NULL, NULL, 1.50, 'reinserted')", id, n);
    }

    private async Task BothAsync(NpgsqlConnection connection, NpgsqlTransaction tx, Func<string, string> sql, params object?[] args)
    {
        foreach (var table in new[] { _layout.Table, _layout.Control })
        {
            await using var command = new NpgsqlCommand(sql(table), connection, tx);
            AddParameters(command, args);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static void AddParameters(NpgsqlCommand command, params object?[] args)
    {
        foreach (var arg in args)
        {
            command.Parameters.Add(arg is NpgsqlParameter p ? p.Clone() : new NpgsqlParameter { Value = arg ?? DBNull.Value });
        }
    }

    private static NpgsqlParameter Jsonb(string? json) => new() { Value = (object?)json ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb };
}
