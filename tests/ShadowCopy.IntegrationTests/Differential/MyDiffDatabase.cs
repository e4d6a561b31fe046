using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.IntegrationTests.MySql;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Protocol;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// The MariaDB side: T and C with an AUTO_INCREMENT key (as applications have it; with trigger
/// capture that also sends the copy through the tool, ADR 0008). The control ALTER runs with the
/// server's default sql_mode and the tool's time zone (+00:00), like the tool's own sessions.
/// </summary>
internal sealed class MyDiffDatabase : IDiffDatabase
{
    private readonly string _table;
    private readonly string _control;

    public MyDiffDatabase()
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        _table = "dt_" + suffix;
        _control = "dc_" + suffix;
    }

    public string Engine => "mysql";

    public string Table => $"{Q(Database)}.{Q(_table)}";

    public string Control => $"{Q(Database)}.{Q(_control)}";

    public string Schema => string.Empty;

    string IDiffDatabase.Q(string identifier) => Q(identifier);

    public async Task CreateAsync(IReadOnlyList<string> prelude, IReadOnlyList<string> columnDefinitions)
    {
        foreach (var statement in prelude)
        {
            await ExecAsync(statement);
        }

        var columns = string.Join(", ", ["id BIGINT NOT NULL AUTO_INCREMENT", .. columnDefinitions, "PRIMARY KEY (id)"]);
        await ExecAsync($"CREATE TABLE {Table} ({columns}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        await ExecAsync($"CREATE TABLE {Control} ({columns}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
    }

    public async Task<IDiffWriter> OpenWriterAsync()
    {
        var connection = await OpenAsync();
        // A fixed clock: DEFAULT / ON UPDATE CURRENT_TIMESTAMP give both tables the same value.
        await connection.ExecuteAsync("SET SESSION timestamp = 1717171717.123456");
        return new MyDiffWriter(connection);
    }

    public Task<AlterResult> RunShadowCopyAsync(string alter, string mode, Func<AlterOptions, AlterOptions> tune, RecordingStatusSink sink, IRunHooks hooks, CancellationToken cancellationToken)
    {
        var capture = mode switch
        {
            "binlog" => CaptureMode.Binlog,
            "trigger" => CaptureMode.Trigger,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "binlog or trigger"),
        };
        return MyAlterHarness.RunAsync(tune(MyAlterHarness.Options(_table, alter)), capture, sink, services: new RunServices { Hooks = hooks }, cancellationToken: cancellationToken);
    }

    public async Task<(string? Error, IReadOnlyList<string> Warnings)> AlterControlAsync(string alter)
    {
        await using var connection = await OpenAsync();
        try
        {
            await connection.ExecuteAsync($"ALTER TABLE {Control} {alter}, ALGORITHM=COPY");
        }
        catch (MySqlServerException error)
        {
            return ($"{error.ErrorCode}: {error.Message}", []);
        }

        var warnings = await connection.QueryAsync("SHOW WARNINGS");
        return (null, [.. warnings.Rows.Select(r => $"{r.GetString(0)} {r.GetString(1)} {r.GetString(2)}")]);
    }

    public async Task<IReadOnlyList<(string Name, string Definition)>> ShapeAsync(bool control)
    {
        await using var connection = await OpenAsync();
        var rows = await connection.QueryAsync($"""
            SELECT COLUMN_NAME, CONCAT_WS(' | ', COLUMN_TYPE, IF(IS_NULLABLE = 'YES', 'NULL', 'NOT NULL'), CONCAT('default ', IFNULL(COLUMN_DEFAULT, '(none)')),
                   IFNULL(COLLATION_NAME, '-'), EXTRA, IFNULL(GENERATION_EXPRESSION, ''))
            FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(control ? _control : _table)} ORDER BY ORDINAL_POSITION
            """);
        return [.. rows.Rows.Select(r => (r.GetString(0), r.GetString(1)))];
    }

    public async Task<string> ChecksumAsync(bool control, IReadOnlyList<string> columns)
    {
        // CAST(… AS BINARY) is each value's exact text (numbers, temporals) or bytes (strings, BIT).
        var row = $"CONCAT_WS('|', {string.Join(", ", columns.Select(c => $"HEX(CAST({Q(c)} AS BINARY))"))}, CONCAT({string.Join(", ", columns.Select(c => $"ISNULL({Q(c)})"))}))";
        return await ScalarAsync($"SELECT CONCAT(COUNT(*), '/', COALESCE(SUM(CRC32(r)), 0), '/', COALESCE(BIT_XOR(CAST(CONV(LEFT(MD5(r), 16), 16, 10) AS UNSIGNED)), 0)) FROM (SELECT {row} AS r FROM {(control ? Control : Table)}) x") ?? "?";
    }

    public async Task<Dictionary<string, string?[]>> RowsAsync(bool control, IReadOnlyList<string> columns)
    {
        await using var connection = await OpenAsync();
        var rows = await connection.QueryAsync($"SELECT CAST(id AS CHAR), {string.Join(", ", columns.Select(c => $"HEX(CAST({Q(c)} AS BINARY))"))} FROM {(control ? Control : Table)}");
        return rows.Rows.ToDictionary(r => r.GetString(0), r => Enumerable.Range(1, columns.Count).Select(i => r.IsNull(i) ? null : r.GetString(i)).ToArray());
    }

    public string Display(string? exact) => exact is null ? "NULL" : DiffText.Show(DiffText.FromHex(exact));

    public async Task<IReadOnlyList<string>> LeftoversAsync() => [.. (await ObjectsAsync(_table)).Where(o => o != _table)];

    public async ValueTask DisposeAsync()
    {
        await DropAsync(_table);
        await ExecAsync($"DROP TABLE IF EXISTS {Control}");
    }
}
