using System.Globalization;
using MySqlConnector;
using MySqlEscaping = ShadowCopy.MySql.Protocol.MySqlEscaping;
using MySqlException = MySqlConnector.MySqlException;

namespace ShadowCopy.Load;

/// <summary>
/// The MySQL/MariaDB worker, on MySqlConnector as an application would run (ADR 0022): one statement per
/// round trip as sysbench sends them, values as escaped literals.
/// </summary>
internal sealed class MySqlLoadSession : ILoadSession
{
    // sysbench's oltp_write_only issues these one by one inside BEGIN … COMMIT.
    private const int LockWaitTimeout = 1205;
    private const int Deadlock = 1213;

    private readonly string _connectionString;
    private readonly LoadOptions _options;
    private readonly int _worker;
    private readonly string[] _tables;
    private MySqlConnection _connection;
    private bool _noBackslashEscapes;

    private MySqlLoadSession(MySqlConnection connection, string connectionString, LoadOptions options, int worker)
    {
        _connection = connection;
        _connectionString = connectionString;
        _options = options;
        _worker = worker;
        _tables = options.Control is null ? [Quote(options.Table)] : [Quote(options.Table), Quote(options.Control)];
    }

    public static async Task<ILoadSession> OpenAsync(LoadOptions options, int worker, CancellationToken cancellationToken)
    {
        if (options.Profile != "sbtest")
        {
            throw new ArgumentException("--engine mysql supports --profile sbtest only");
        }

        var connectionString = new MySqlConnectionStringBuilder
        {
            Server = options.Host,
            Port = (uint)options.Port,
            UserID = options.User,
            Password = options.Password ?? string.Empty,
            Database = options.Database,
            SslMode = MySqlSslMode.None,
            Pooling = false,
            // A blocking ALTER stalls writers for its whole duration: measure the stall, don't cut it.
            DefaultCommandTimeout = 600,
        }.ConnectionString;
        var session = new MySqlLoadSession(await OpenConnectionAsync(connectionString, cancellationToken), connectionString, options, worker);
        await session.ReadSqlModeAsync(cancellationToken);
        return session;
    }

    public async Task<bool> RunOperationAsync(Random random, LoadStats stats)
    {
        var statements = SbtestOperation(random);
        try
        {
            // Same transaction for table and control, so checksums prove what the table must hold.
            await ExecuteAsync("START TRANSACTION");
            foreach (var table in _tables)
            {
                foreach (var sql in statements)
                {
                    await ExecuteAsync(sql.Replace("{t}", table, StringComparison.Ordinal));
                }
            }

            await ExecuteAsync("COMMIT");
            return true;
        }
        catch (MySqlException error) when (error.ErrorCode > 0 && _connection.State == System.Data.ConnectionState.Open)
        {
            stats.Error((int)error.ErrorCode switch { LockWaitTimeout => LoadErrorKind.LockWait, Deadlock => LoadErrorKind.Deadlock, _ => LoadErrorKind.Other }, $"{(int)error.ErrorCode}: {error.Message}");
            await RollbackAsync();
        }
        catch (Exception error) when (error is MySqlException or IOException or InvalidOperationException)
        {
            stats.Error(LoadErrorKind.Other, error.Message);
            await ReconnectAsync();
        }

        return false;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private static string Quote(string table)
    {
        var dot = table.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? MySqlEscaping.QuoteIdentifier(table) : MySqlEscaping.QuoteIdentifier(table[..dot], table[(dot + 1)..]);
    }

    private async Task RollbackAsync()
    {
        try
        {
            await ExecuteAsync("ROLLBACK");
        }
        catch (Exception error) when (error is MySqlException or IOException or InvalidOperationException)
        {
            await ReconnectAsync();
        }
    }

    private async Task ReconnectAsync()
    {
        await _connection.DisposeAsync();
        _connection = await OpenConnectionAsync(_connectionString, CancellationToken.None);
    }

    private static async Task<MySqlConnection> OpenConnectionAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new MySqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private async Task ReadSqlModeAsync(CancellationToken cancellationToken)
    {
        using var command = new MySqlCommand("SELECT @@SESSION.sql_mode", _connection);
        _noBackslashEscapes = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture)?.Contains("NO_BACKSLASH_ESCAPES", StringComparison.Ordinal) == true;
    }

    private async Task ExecuteAsync(string sql)
    {
        using var command = new MySqlCommand(sql, _connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>sysbench oltp_write_only's statements (index update, non-index update, delete+insert) on the bench table.</summary>
    private List<string> SbtestOperation(Random random)
    {
        var id = random.Next(1, _options.MaxId + 1).ToString(CultureInfo.InvariantCulture);
        var c = Literal(new string((char)('a' + random.Next(26)), 119) + _worker);
        var note = random.Next(3) == 0 ? "NULL" : Literal("émoji 🚀 " + random.Next(1000));
        // Computed here, not NOW(6): the table and its control must receive the same value.
        var created = Literal(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture));
        var k = random.Next(1, 1_000_000).ToString(CultureInfo.InvariantCulture);
        return
        [
            $"UPDATE {{t}} SET k = k + 1 WHERE id = {id}",
            $"UPDATE {{t}} SET c = {c}, note = {note} WHERE id = {id}",
            $"DELETE FROM {{t}} WHERE id = {id}",
            $"INSERT INTO {{t}} (id, k, c, pad, doc, created, amount, note) VALUES ({id}, {k}, {c}, {Literal(new string('p', 59))}, '{{\"s\": 1}}', {created}, 12.34, {note})",
        ];
    }

    private string Literal(string value) => MySqlEscaping.QuoteString(value, _noBackslashEscapes);
}
