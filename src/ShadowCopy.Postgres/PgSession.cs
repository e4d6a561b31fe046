using System.Diagnostics;
using Npgsql;
using ShadowCopy.Core.Sql;

namespace ShadowCopy.Postgres;

/// <summary>
/// One PostgreSQL connection. Transactions are plain BEGIN/COMMIT statements so the transcript
/// shows exactly what ran. Positional parameters ($1, $2…) only.
/// </summary>
public sealed class PgSession : ISqlSession
{
    private readonly NpgsqlConnection _connection;

    private PgSession(NpgsqlConnection connection, SqlTranscript transcript)
    {
        _connection = connection;
        Transcript = transcript;
    }

    public SqlTranscript Transcript { get; }

    public int BackendPid => _connection.ProcessID;

    public static async Task<PgSession> OpenAsync(NpgsqlConnectionStringBuilder settings, SqlTranscript transcript, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(settings.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var session = new PgSession(connection, transcript);
        // standard_conforming_strings: our literal quoting relies on it. Timeouts off by default;
        // every statement that can wait on a lock of the live table sets lock_timeout itself.
        var setup = new NpgsqlCommand("SET standard_conforming_strings = on; SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0; SET lock_timeout = '10s'", connection);
        await using (setup.ConfigureAwait(false))
        {
            await setup.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return session;
    }

    public async Task<long> ExecuteAsync(string sql, IReadOnlyList<object?>? args, CancellationToken cancellationToken)
    {
        Transcript.Record(sql);
        var command = Command(sql, args);
        await using var _ = command.ConfigureAwait(false);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task<long> ExecuteAsync(string sql, CancellationToken cancellationToken) => ExecuteAsync(sql, null, cancellationToken);

    /// <summary>Runs statements in order in one round trip (text parameters, $1… per statement).</summary>
    public async Task ExecuteBatchAsync(IReadOnlyList<(string Sql, IReadOnlyList<object?> Args)> statements, CancellationToken cancellationToken)
    {
        if (statements.Count == 0)
        {
            return;
        }

        var batch = new NpgsqlBatch(_connection);
        await using var _ = batch.ConfigureAwait(false);
        foreach (var (sql, args) in statements)
        {
            Transcript.Record(sql);
            var command = new NpgsqlBatchCommand(sql);
            foreach (var arg in args)
            {
                command.Parameters.Add(arg is string or null
                    ? new NpgsqlParameter { Value = arg ?? (object)DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text }
                    : new NpgsqlParameter { Value = arg });
            }

            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<object?[]>> QueryAsync(string sql, IReadOnlyList<object?>? args, CancellationToken cancellationToken)
    {
        Transcript.Record(sql);
        var command = Command(sql, args);
        await using var _ = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var __ = reader.ConfigureAwait(false);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i, cancellationToken).ConfigureAwait(false) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public async Task<T?> ScalarAsync<T>(string sql, IReadOnlyList<object?>? args, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync(sql, args, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0 || rows[0][0] is null)
        {
            return default;
        }

        return (T)Convert.ChangeType(rows[0][0]!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Executes and returns the elapsed time (for lock-wait measurements).</summary>
    public async Task<TimeSpan> TimedExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await ExecuteAsync(sql, null, cancellationToken).ConfigureAwait(false);
        return watch.Elapsed;
    }

    /// <summary>Rolls back whatever transaction is open; safe to call when none is.</summary>
    public async Task RollbackQuietlyAsync()
    {
        try
        {
            if (_connection.FullState == System.Data.ConnectionState.Open)
            {
                var command = new NpgsqlCommand("ROLLBACK", _connection);
                await using var _ = command.ConfigureAwait(false);
                await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (NpgsqlException)
        {
            // The connection is broken; the server rolls back on disconnect.
        }
    }

    public bool IsOpen => _connection.FullState == System.Data.ConnectionState.Open;

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private NpgsqlCommand Command(string sql, IReadOnlyList<object?>? args)
    {
        var command = new NpgsqlCommand(sql, _connection);
        if (args is not null)
        {
            foreach (var arg in args)
            {
                command.Parameters.Add(arg is uint oid
                    ? new NpgsqlParameter { Value = oid, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Oid }
                    : new NpgsqlParameter { Value = arg ?? DBNull.Value });
            }
        }

        return command;
    }
}
