using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.Postgres;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// The PostgreSQL side: T and C in a schema of their own (with the family's types and domains).
/// Every session — the tool's, the writer's, the control ALTER's — runs with TimeZone
/// America/New_York, so timestamp ↔ timestamptz conversions are not the identity of UTC.
/// </summary>
internal sealed class PgDiffDatabase : IDiffDatabase
{
    private const string TimeZone = "America/New_York";
    private readonly string _schema = "it_" + Guid.NewGuid().ToString("N")[..10];
    private PgSchemaScope? _scope;
    private IReadOnlySet<string> _slotsBefore = new HashSet<string>();
    private IReadOnlySet<string> _publicationsBefore = new HashSet<string>();

    public string Engine => "postgres";

    public string Table => $"{Schema}.{Q("dt")}";

    public string Control => $"{Schema}.{Q("dc")}";

    public string Schema => Q(_schema);

    public string Q(string identifier) => PgServer.Q(identifier);

    public static NpgsqlConnectionStringBuilder Settings()
    {
        var settings = PgServer.Settings();
        settings.Timezone = TimeZone;
        return settings;
    }

    public async Task CreateAsync(IReadOnlyList<string> prelude, IReadOnlyList<string> columnDefinitions)
    {
        _scope = await PgSchemaScope.CreateAsync(_schema);
        _slotsBefore = (await ListAsync("SELECT slot_name FROM pg_replication_slots")).ToHashSet();
        _publicationsBefore = (await ListAsync("SELECT pubname FROM pg_publication")).ToHashSet();
        foreach (var statement in prelude)
        {
            await ExecAsync(statement);
        }

        var columns = string.Join(", ", ["id bigint NOT NULL PRIMARY KEY", .. columnDefinitions]);
        await ExecAsync($"CREATE TABLE {Table} ({columns})");
        await ExecAsync($"CREATE TABLE {Control} ({columns})");
    }

    public async Task<IDiffWriter> OpenWriterAsync() => new PgDiffWriter(await OpenAsync());

    public Task<AlterResult> RunShadowCopyAsync(string alter, string mode, Func<AlterOptions, AlterOptions> tune, RecordingStatusSink sink, IRunHooks hooks, CancellationToken cancellationToken)
    {
        var capture = mode switch
        {
            "trigger" => null,
            "logical" => PgAlterHarness.Logical,
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "trigger or logical"),
        };
        return PgAlterHarness.RunAsync(tune(PgAlterHarness.Options(_schema, "dt", alter)), cancellationToken: cancellationToken, sink: sink, capture: capture, services: new RunServices { Hooks = hooks }, settings: Settings());
    }

    public async Task<(string? Error, IReadOnlyList<string> Warnings)> AlterControlAsync(string alter)
    {
        await using var connection = await OpenAsync();
        var notices = new List<string>();
        connection.Notice += (_, e) => notices.Add($"{e.Notice.Severity} {e.Notice.SqlState} {e.Notice.MessageText}");
        try
        {
            await using var command = new NpgsqlCommand($"ALTER TABLE {Control} {alter}", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (PostgresException error)
        {
            return ($"{error.SqlState}: {error.MessageText}", []);
        }

        return (null, notices);
    }

    public async Task<IReadOnlyList<(string Name, string Definition)>> ShapeAsync(bool control)
    {
        var table = PgDialect.Instance.QuoteLiteral(control ? Control : Table);
        var rows = await QueryAsync($"""
            SELECT a.attname, concat_ws(' | ', format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN 'NOT NULL' ELSE 'NULL' END,
                   'default ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '(none)'), coalesce(co.collname, '-'),
                   CASE a.attgenerated WHEN 's' THEN 'generated stored' ELSE '' END, CASE WHEN a.attidentity <> '' THEN 'identity ' || a.attidentity::text ELSE '' END)
            FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            LEFT JOIN pg_collation co ON co.oid = a.attcollation
            WHERE a.attrelid = {table}::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, 2);
        return [.. rows.Select(r => (r[0]!, r[1]!))];
    }

    public async Task<string> ChecksumAsync(bool control, IReadOnlyList<string> columns)
    {
        var row = $"ROW({string.Join(", ", columns.Select(Q))})::text";
        var rows = await QueryAsync(
            $"SELECT count(*)::text || '/' || coalesce(sum(hashtextextended(r, 0)::numeric), 0)::text || '/' || coalesce(sum(hashtextextended(r, 42)::numeric), 0)::text FROM (SELECT {row} AS r FROM {(control ? Control : Table)}) x",
            1);
        return rows[0][0] ?? "?";
    }

    public async Task<Dictionary<string, string?[]>> RowsAsync(bool control, IReadOnlyList<string> columns)
    {
        var rows = await QueryAsync($"SELECT id::text, {string.Join(", ", columns.Select(c => Q(c) + "::text"))} FROM {(control ? Control : Table)}", columns.Count + 1);
        return rows.ToDictionary(r => r[0]!, r => r[1..]);
    }

    public string Display(string? exact) => exact is null ? "NULL" : $"'{exact}'";

    public async Task<IReadOnlyList<string>> LeftoversAsync()
    {
        var schema = PgDialect.Instance.QuoteLiteral(_schema);
        var relations = await ListAsync($"SELECT relname || ' (' || relkind::text || ')' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = {schema} AND c.relkind IN ('r', 'v', 'm', 'S') AND c.relname NOT IN ('dt', 'dc')");
        var triggers = await ListAsync($"SELECT 'trigger ' || tgname FROM pg_trigger WHERE tgrelid = {PgDialect.Instance.QuoteLiteral(Table)}::regclass AND NOT tgisinternal");
        var functions = await ListAsync($"SELECT 'function ' || proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = {schema}");
        var slots = (await ListAsync("SELECT slot_name FROM pg_replication_slots")).Where(s => !_slotsBefore.Contains(s)).Select(s => "slot " + s);
        var publications = (await ListAsync("SELECT pubname FROM pg_publication")).Where(p => !_publicationsBefore.Contains(p)).Select(p => "publication " + p);
        return [.. relations, .. triggers, .. functions, .. slots, .. publications];
    }

    public async ValueTask DisposeAsync()
    {
        if (_scope is null)
        {
            return;
        }

        // A run that left its slot or publication behind must not hold WAL for the rest of the suite.
        foreach (var slot in (await ListAsync("SELECT slot_name FROM pg_replication_slots WHERE NOT active")).Where(s => !_slotsBefore.Contains(s)))
        {
            await ExecAsync($"SELECT pg_drop_replication_slot({PgDialect.Instance.QuoteLiteral(slot)})");
        }

        foreach (var publication in (await ListAsync("SELECT pubname FROM pg_publication")).Where(p => !_publicationsBefore.Contains(p)))
        {
            await ExecAsync($"DROP PUBLICATION IF EXISTS {Q(publication)}");
        }

        await _scope.DisposeAsync();
    }

    private static async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(Settings().ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<List<string?[]>> QueryAsync(string sql, int columns)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string?[]>();
        while (await reader.ReadAsync())
        {
            rows.Add([.. Enumerable.Range(0, columns).Select(i => reader.IsDBNull(i) ? null : reader.GetString(i))]);
        }

        return rows;
    }

    private static async Task<List<string>> ListAsync(string sql) => [.. (await QueryAsync(sql, 1)).Select(r => r[0]!)];
}
