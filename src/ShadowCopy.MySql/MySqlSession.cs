using System.Diagnostics;
using ShadowCopy.Core.Sql;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// One MySQL/MariaDB connection with the session settings every statement of a run relies on:
/// utf8mb4 results (literals are built from them), UTC time zone (TIMESTAMP values from row
/// images are UTC), and bounded lock waits so nothing we run can hang on the live table.
/// </summary>
internal sealed class MySqlSession : IAsyncDisposable
{
    private readonly MySqlClientConnection _connection;

    private MySqlSession(MySqlClientConnection connection, SqlTranscript transcript)
    {
        _connection = connection;
        Transcript = transcript;
    }

    public SqlTranscript Transcript { get; }

    public MySqlClientConnection Connection => _connection;

    public uint ConnectionId => _connection.ConnectionId;

    public bool NoBackslashEscapes => _connection.NoBackslashEscapes;

    public bool IsBroken { get; private set; }

    public static async Task<MySqlSession> OpenAsync(MySqlSettings settings, SqlTranscript transcript, CancellationToken cancellationToken)
    {
        var connection = await MySqlClientConnection.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        try
        {
            // lock_wait_timeout (metadata locks) defaults to a day; innodb_lock_wait_timeout to 50 s.
            await connection.ExecuteAsync(
                "SET NAMES utf8mb4, time_zone = '+00:00', SESSION lock_wait_timeout = 60, SESSION innodb_lock_wait_timeout = 10",
                cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", cancellationToken).ConfigureAwait(false);

            // A row whose AUTO_INCREMENT key is 0 (written under NO_AUTO_VALUE_ON_ZERO) keeps 0 in the
            // copy and the applier instead of being renumbered; nothing else in the user's mode changes.
            await connection.ExecuteAsync("SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'NO_AUTO_VALUE_ON_ZERO')", cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new MySqlSession(connection, transcript);
    }

    public Task<MySqlExecuteResult> ExecuteAsync(string sql, CancellationToken cancellationToken) =>
        RunAsync(sql, () => _connection.ExecuteAsync(sql, cancellationToken));

    public Task<MySqlResultSet> QueryAsync(string sql, CancellationToken cancellationToken) =>
        RunAsync(sql, () => _connection.QueryAsync(sql, cancellationToken));

    public async Task<long> ScalarInt64Async(string sql, CancellationToken cancellationToken)
    {
        var result = await QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        return result.Rows.Count == 0 || result.Rows[0].IsNull(0) ? 0 : result.Rows[0].GetInt64(0);
    }

    public async Task<string?> ScalarStringAsync(string sql, CancellationToken cancellationToken)
    {
        var result = await QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        return result.Rows.Count == 0 || result.Rows[0].IsNull(0) ? null : result.Rows[0].GetString(0);
    }

    /// <summary>Executes and returns the elapsed time (for lock-wait measurements).</summary>
    public async Task<TimeSpan> TimedExecuteAsync(string sql, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
        return watch.Elapsed;
    }

    /// <summary>Rolls back and releases table locks; safe when neither is held or the connection is gone.</summary>
    public async Task ResetQuietlyAsync()
    {
        if (IsBroken)
        {
            return;
        }

        try
        {
            await _connection.ExecuteAsync("ROLLBACK", CancellationToken.None).ConfigureAwait(false);
            await _connection.ExecuteAsync("UNLOCK TABLES", CancellationToken.None).ConfigureAwait(false);
        }
        catch (MySqlException)
        {
            // The server rolls back and releases locks when the connection goes away.
            IsBroken = true;
        }
    }

    /// <summary>Records the statement; a broken connection marks the session so cleanup opens a new one.</summary>
    private async Task<T> RunAsync<T>(string sql, Func<Task<T>> run)
    {
        Transcript.Record(sql);
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception error) when (MySqlErrors.IsConnectionLoss(error))
        {
            IsBroken = true;
            throw;
        }
    }

    public string Literal(string value) => MySqlEscaping.QuoteString(value, _connection.NoBackslashEscapes);

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
