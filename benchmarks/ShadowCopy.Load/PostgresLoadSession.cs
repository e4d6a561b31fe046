using Npgsql;
using NpgsqlTypes;

namespace ShadowCopy.Load;

/// <summary>The PostgreSQL worker: one Npgsql connection, parameterised statements.</summary>
internal sealed class PostgresLoadSession : ILoadSession
{
    private readonly NpgsqlConnection _connection;
    private readonly LoadOptions _options;
    private readonly int _worker;

    private PostgresLoadSession(NpgsqlConnection connection, LoadOptions options, int worker)
    {
        _connection = connection;
        _options = options;
        _worker = worker;
    }

    public static async Task<ILoadSession> OpenAsync(LoadOptions options, int worker, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = options.Host,
            Port = options.Port,
            Username = options.User,
            Database = options.Database,
            Password = options.Password,
            ApplicationName = "shadowcopy-load",
            Pooling = false,
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return new PostgresLoadSession(connection, options, worker);
    }

    public async Task<bool> RunOperationAsync(Random random, LoadStats stats)
    {
        try
        {
            // One transaction per operation; with --control the same change is applied to the
            // control table in the same transaction, so checksums prove what the table must hold.
            await using var tx = await _connection.BeginTransactionAsync(CancellationToken.None);
            var statements = _options.Profile == "sbtest" ? SbtestOperation(random) : OrdersOperation(random);
            var tables = _options.Control is null ? new[] { _options.Table } : [_options.Table, _options.Control];
            foreach (var table in tables)
            {
                foreach (var (sql, args) in statements)
                {
                    await using var command = new NpgsqlCommand(sql.Replace("{t}", table, StringComparison.Ordinal), _connection, tx);
                    foreach (var arg in args)
                    {
                        command.Parameters.Add(arg is NpgsqlParameter p ? p.Clone() : new NpgsqlParameter { Value = arg ?? DBNull.Value });
                    }

                    if (sql.Contains("RETURNING", StringComparison.Ordinal))
                    {
                        var insertedId = (long)(await command.ExecuteScalarAsync(CancellationToken.None))!;
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
            return true;
        }
        catch (PostgresException error)
        {
            stats.Error(error.SqlState is "55P03" or "57014" ? LoadErrorKind.LockWait : LoadErrorKind.Other, error.MessageText);
        }
        catch (NpgsqlException error)
        {
            stats.Error(LoadErrorKind.Other, error.Message);
        }

        return false;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>The demo's table: 40% insert, 40% update (some to NULL), 20% delete.</summary>
    private List<(string Sql, object?[] Args)> OrdersOperation(Random random)
    {
        var roll = random.Next(100);
        long id = random.Next(1, _options.MaxId + 1);
        var doc = new NpgsqlParameter { Value = random.Next(5) == 0 ? DBNull.Value : $"{{\"w\": {_worker}, \"tag\": \"ünï ✓\"}}", NpgsqlDbType = NpgsqlDbType.Jsonb };
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
    private List<(string Sql, object?[] Args)> SbtestOperation(Random random)
    {
        long id = random.Next(1, _options.MaxId + 1);
        var c = new string((char)('a' + random.Next(26)), 119) + _worker;
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
