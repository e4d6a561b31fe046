using System.Globalization;
using MySqlConnector;
using ShadowCopy.MySql.Protocol.Binlog;
using MySqlSettings = ShadowCopy.MySql.Protocol.MySqlSettings;

namespace ShadowCopy.MySql.Protocol.Tests.Integration;

/// <summary>
/// The tests' SQL connection, on MySqlConnector (as the provider's sessions, ADR 0022): setup statements and
/// the values the server reports, to compare the replication stream's row images with. The protocol
/// project keeps only the replication connection.
/// </summary>
internal sealed class TestSql : IAsyncDisposable
{
    private readonly MySqlConnection _connection;

    private TestSql(MySqlConnection connection) => _connection = connection;

    public static async Task<TestSql> OpenAsync(MySqlSettings settings)
    {
        var builder = new MySqlConnectionStringBuilder
        {
            Server = settings.UnixSocket ?? settings.Host,
            Port = (uint)settings.Port,
            UserID = settings.User,
            Password = settings.Password,
            Database = settings.Database,
            Pooling = false,
            AllowZeroDateTime = true,
            TreatTinyAsBoolean = false,
            GuidFormat = MySqlGuidFormat.None,
            AllowUserVariables = true,
        };
        var connection = new MySqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        var sql = new TestSql(connection);
        await sql.ExecuteAsync("SET NAMES utf8mb4, time_zone = '+00:00'");
        return sql;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = new MySqlCommand(sql, _connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Every row of the first result set, values as the driver decodes them (DECIMAL as its exact text), NULL as null.</summary>
    public async Task<List<object?[]>> QueryAsync(string sql)
    {
        await using var command = new MySqlCommand(sql, _connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? null : reader.GetFieldType(i) == typeof(decimal) ? reader.GetMySqlDecimal(i) : reader.GetValue(i);
            }

            rows.Add(values);
        }

        return rows;
    }

    public async Task<string?> ScalarAsync(string sql)
    {
        var rows = await QueryAsync(sql);
        return rows.Count == 0 || rows[0][0] is null ? null : Convert.ToString(rows[0][0], CultureInfo.InvariantCulture);
    }

    /// <summary>SHOW MASTER STATUS and gtid_binlog_pos: where a stream that sees the next statements starts.</summary>
    public async Task<BinlogPosition> CurrentPositionAsync()
    {
        var status = await QueryAsync("SHOW MASTER STATUS");
        return new BinlogPosition((string)status[0][0]!, Convert.ToInt64(status[0][1], CultureInfo.InvariantCulture), await ScalarAsync("SELECT @@global.gtid_binlog_pos"));
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
