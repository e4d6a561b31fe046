using System.Diagnostics;
using MySqlCommand = MySqlConnector.MySqlCommand;
using MySqlConnection = MySqlConnector.MySqlConnection;
using ShadowCopy.Core.Sql;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// One MySQL/MariaDB connection (MySqlConnector, ADR 0022) with the session settings every statement of a run
/// relies on: utf8mb4 results (literals are built from them), UTC time zone (TIMESTAMP values from row
/// images are UTC), and bounded lock waits so nothing we run can hang on the live table. Driver errors are
/// translated into the provider's own exception types (<see cref="MySqlSessionErrors"/>).
/// </summary>
internal sealed class MySqlSession : IAsyncDisposable
{
    private readonly MySqlConnection _connection;
    private int _warnings;

    private MySqlSession(MySqlConnection connection, SqlTranscript transcript, bool noBackslashEscapes)
    {
        _connection = connection;
        Transcript = transcript;
        NoBackslashEscapes = noBackslashEscapes;
        ConnectionId = (uint)connection.ServerThread;
        IsMariaDb = connection.ServerVersion.Contains("MariaDB", StringComparison.OrdinalIgnoreCase);

        // The driver reads SHOW WARNINGS for a statement that raised any only when someone listens; callers
        // only need to know whether there were any (they read the list themselves, on this same session).
        _connection.InfoMessage += (_, args) => _warnings += Math.Max(1, args.Errors.Count);
    }

    public SqlTranscript Transcript { get; }

    public uint ConnectionId { get; }

    public bool IsMariaDb { get; }

    public string ServerVersion => _connection.ServerVersion;

    /// <summary>True when sql_mode contains NO_BACKSLASH_ESCAPES (literals must then be escaped by quote doubling only); read once at open.</summary>
    public bool NoBackslashEscapes { get; }

    public bool IsBroken { get; private set; }

    public static async Task<MySqlSession> OpenAsync(MySqlSettings settings, SqlTranscript transcript, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var connection = new MySqlConnection(MySqlConnectionStrings.For(settings));
        try
        {
            return await MySqlSessionErrors.TranslateAsync(() => InitializeAsync(connection, transcript, cancellationToken)).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<MySqlSession> InitializeAsync(MySqlConnection connection, SqlTranscript transcript, CancellationToken cancellationToken)
    {
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        // lock_wait_timeout (metadata locks) defaults to a day; innodb_lock_wait_timeout to 50 s.
        await ExecuteRawAsync(
            connection,
            "SET NAMES utf8mb4, time_zone = '+00:00', SESSION lock_wait_timeout = 60, SESSION innodb_lock_wait_timeout = 10",
            cancellationToken).ConfigureAwait(false);
        await ExecuteRawAsync(connection, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", cancellationToken).ConfigureAwait(false);

        // A row whose AUTO_INCREMENT key is 0 (written under NO_AUTO_VALUE_ON_ZERO) keeps 0 in the
        // copy and the applier instead of being renumbered; nothing else in the user's mode changes.
        await ExecuteRawAsync(connection, "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@SESSION.sql_mode, ''), 'NO_AUTO_VALUE_ON_ZERO')", cancellationToken).ConfigureAwait(false);

        // The driver does not expose the server status flags; sql_mode says the same (the staging's lax
        // mode is set and restored around statements whose literals never depend on it).
        var sqlMode = await ScalarRawAsync(connection, "SELECT @@SESSION.sql_mode", cancellationToken).ConfigureAwait(false);
        return new MySqlSession(connection, transcript, sqlMode.Contains("NO_BACKSLASH_ESCAPES", StringComparison.OrdinalIgnoreCase));
    }

    public Task<MySqlExecuteResult> ExecuteAsync(string sql, CancellationToken cancellationToken) =>
        RunAsync(sql, async () =>
        {
            using var command = new MySqlCommand(sql, _connection);
            var affected = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new MySqlExecuteResult((ulong)Math.Max(0, affected), (ulong)Math.Max(0, command.LastInsertedId), _warnings);
        });

    public Task<MySqlResultSet> QueryAsync(string sql, CancellationToken cancellationToken) =>
        RunAsync(sql, async () =>
        {
            using var command = new MySqlCommand(sql, _connection);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await MySqlResultSet.ReadAsync(reader, cancellationToken).ConfigureAwait(false);
            }
        });

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
            await MySqlSessionErrors.TranslateAsync(() => ExecuteRawAsync(_connection, "ROLLBACK", CancellationToken.None)).ConfigureAwait(false);
            await MySqlSessionErrors.TranslateAsync(() => ExecuteRawAsync(_connection, "UNLOCK TABLES", CancellationToken.None)).ConfigureAwait(false);
        }
        catch (Protocol.MySqlException)
        {
            // The server rolls back and releases locks when the connection goes away.
            IsBroken = true;
        }
    }

    public string Literal(string value) => MySqlEscaping.QuoteString(value, NoBackslashEscapes);

    /// <summary>Closes the socket: with pooling off (ADR 0022) the server ends the session, its transaction and its locks now.</summary>
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>Records the statement, translates driver errors; a broken connection marks the session so cleanup opens a new one.</summary>
    private async Task<T> RunAsync<T>(string sql, Func<Task<T>> run)
    {
        Transcript.Record(sql);
        _warnings = 0;
        try
        {
            return await MySqlSessionErrors.TranslateAsync(run).ConfigureAwait(false);
        }
        catch (Exception error) when (MySqlErrors.IsConnectionLoss(error) || _connection.State != System.Data.ConnectionState.Open)
        {
            IsBroken = true;
            throw;
        }
    }

    private static async Task<int> ExecuteRawAsync(MySqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = new MySqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<string> ScalarRawAsync(MySqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = new MySqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
    }
}
