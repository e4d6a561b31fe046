using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// The central promise: writers keep going during copy and cut-over, and afterwards the table has
/// the new shape and exactly the rows a control table (written in the same transactions) has.
/// </summary>
[Collection("postgres")]
public sealed class PgConcurrentAlterTests
{
    private const long SeedRows = 40_000;

    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Alter_SixWritersDuringCopyAndCutOver_TableMatchesControlByChecksum(string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var layout = new PgTableLayout(schema.Name, "orders", "orders_control");
        await layout.CreateAsync(SeedRows);

        await using var load = new PgWriterLoad(layout, writers: 6);
        await load.StartAsync(SeedRows);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
        var sink = new RecordingStatusSink();
        var result = await PgAlterHarness.RunAsync(
            PgAlterHarness.Options(schema.Name, "orders", "ADD COLUMN note text DEFAULT 'n/a', ALTER COLUMN n TYPE bigint, ADD COLUMN flags integer NOT NULL DEFAULT 0"),
            sink: sink,
            capture: PgAlterHarness.Logical with { Mode = capture });

        // Keep writing after the swap: inserts must take ids from the sequence without collisions.
        var atSwap = load.Operations;
        await load.WaitForOperationsAsync(atSwap + 300, TimeSpan.FromSeconds(30));
        await load.StopAsync();

        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
        Assert.True(load.Operations > atSwap + 100, $"writers made too little progress after the swap ({load.Operations - atSwap})");
        Assert.True(result.ChangesApplied > 0, "no captured change was applied: the writers did not overlap the copy");
        Assert.True(result.ChunksVerified > 1);
        Assert.True(result.ChunksRecopied == 0, "verification had to re-copy chunks: " + string.Join(" | ", sink.Messages));
        Assert.Contains(Phase.Verifying, sink.Phases);

        Assert.Equal(
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Control)),
            await PgServer.ScalarAsync<string>(layout.ChecksumSql(layout.Table)));

        var columns = await ColumnsAsync(schema.Name, "orders");
        Assert.Equal("bigint", columns["n"]);
        Assert.Equal("text", columns["note"]);
        Assert.Equal("integer", columns["flags"]);
        Assert.Equal(
            ["orders_email_idx", "orders_n_idx", "orders_pkey"],
            await NamesAsync($"SELECT indexname FROM pg_indexes WHERE schemaname = '{schema.Name}' AND tablename = 'orders' ORDER BY 1"));
        await AssertNoHelpersAsync(schema.Name, "orders");
        await PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, "orders");
        if (capture == "logical")
        {
            Assert.Contains(sink.Statuses, s => s.CaptureDetail is not null && s.CaptureDetail.Contains("retains", StringComparison.Ordinal));
        }

        // The serial sequence moved to the new table and is ahead of every id ever used.
        var owner = await PgServer.ScalarAsync<string>($"SELECT pg_get_serial_sequence('{schema.Name}.orders', 'id')");
        Assert.Equal($"{schema.Name}.orders_id_seq", owner);
        var maxId = await PgServer.ScalarAsync<long>($"SELECT max(abs(id)) FROM {layout.Control}");
        var next = await PgServer.ScalarAsync<long>($"SELECT nextval('{schema.Name}.orders_id_seq')");
        Assert.True(next > maxId, $"sequence at {next} would collide with id {maxId}");
    }

    [Fact]
    public async Task Alter_CompositeKeyWithIdentity_KeyChangesAndIdentityContinue()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var table = schema.Table("items");
        var control = schema.Table("items_control");
        await PgServer.ExecAsync($"""
            CREATE TABLE {table} (tenant integer NOT NULL, id bigint GENERATED ALWAYS AS IDENTITY, name text, qty integer, PRIMARY KEY (tenant, id));
            CREATE TABLE {control} (tenant integer NOT NULL, id bigint NOT NULL, name text, qty integer, PRIMARY KEY (tenant, id));
            INSERT INTO {table} (tenant, name, qty) SELECT g % 10, 'item ' || g, g FROM generate_series(1, 20000) g;
            INSERT INTO {control} SELECT * FROM {table};
            ANALYZE {table};
            """);

        using var stop = new CancellationTokenSource();
        long errors = 0, ops = 0;
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            await using var connection = await PgServer.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                await using var tx = await connection.BeginTransactionAsync();
                try
                {
                    var tenant = (w * 1000) + random.Next(3);
                    await using var insert = new NpgsqlCommand($"INSERT INTO {table} (tenant, name, qty) VALUES ($1, 'new', $2) RETURNING id", connection, tx);
                    insert.Parameters.Add(new() { Value = tenant });
                    insert.Parameters.Add(new() { Value = random.Next(100) });
                    var id = (long)(await insert.ExecuteScalarAsync())!;
                    foreach (var sql in new[]
                    {
                        $"INSERT INTO {control} (tenant, id, name, qty) VALUES ($1, $2, 'new', (SELECT qty FROM {table} WHERE tenant = $1 AND id = $2))",
                    })
                    {
                        await using var command = new NpgsqlCommand(sql, connection, tx);
                        command.Parameters.Add(new() { Value = tenant });
                        command.Parameters.Add(new() { Value = id });
                        await command.ExecuteNonQueryAsync();
                    }

                    // A key change (tenant moves) and an update of a seeded row this writer owns.
                    var seeded = 1 + (random.Next(5000) * 4) + w;
                    foreach (var target in new[] { table, control })
                    {
                        await using var move = new NpgsqlCommand($"UPDATE {target} SET tenant = tenant + 100, qty = NULL WHERE id = $1 AND tenant < 100", connection, tx);
                        move.Parameters.Add(new() { Value = (long)seeded });
                        await move.ExecuteNonQueryAsync();
                    }

                    await tx.CommitAsync();
                    Interlocked.Increment(ref ops);
                }
                catch (NpgsqlException)
                {
                    Interlocked.Increment(ref errors);
                    await tx.RollbackAsync();
                }

                // Paced like a real application (a few hundred tx/s in all), not a tight loop that
                // would only measure who gets the CPU.
                await Task.Delay(random.Next(2, 6));
            }
        })).ToList();

        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "items", "ADD COLUMN sku text, ALTER COLUMN qty TYPE bigint"));
        var atSwap = Interlocked.Read(ref ops);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Interlocked.Read(ref ops) < atSwap + 100 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await Task.WhenAll(writers);

        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.Equal(0, errors);
        const string Sum = "SELECT count(*)::text || ':' || sum(hashtextextended(ROW(tenant, id, name, qty::bigint)::text, 0)::numeric)::text FROM ";
        Assert.Equal(await PgServer.ScalarAsync<string>(Sum + control), await PgServer.ScalarAsync<string>(Sum + table));

        // The identity kept counting from where the original stopped (no id reused).
        var maxId = await PgServer.ScalarAsync<long>($"SELECT max(id) FROM {control}");
        var fresh = await PgServer.ScalarAsync<long>($"INSERT INTO {table} (tenant, name) VALUES (9999, 'after') RETURNING id");
        Assert.True(fresh > maxId, $"identity restarted: {fresh} <= {maxId}");
        Assert.Equal(
            ["items_id_seq"],
            await NamesAsync($"SELECT s.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid AND d.deptype = 'i' WHERE s.relkind = 'S' AND d.refobjid = '{schema.Name}.items'::regclass"));
        await AssertNoHelpersAsync(schema.Name, "items");
    }

    [Fact]
    public async Task Alter_FixedChunkSize_ChunksFollowKeyOrder()
    {
        // Keys whose text order differs from their numeric order ("10" < "9"): a boundary chosen in
        // the wrong order shows as a wrong chunk count.
        await using var schema = await PgSchemaScope.CreateAsync();
        await PgServer.ExecAsync($"CREATE TABLE {schema.Table("t")} (id integer PRIMARY KEY, v text); INSERT INTO {schema.Table("t")} SELECT g, 'v' || g FROM generate_series(1, 3000) g;");
        var options = PgAlterHarness.Options(schema.Name, "t", "ADD COLUMN w text") with { InitialChunkSize = 100, MaxChunkSize = 100, MinChunkSize = 100, MaxRowsPerSecond = null };
        var result = await PgAlterHarness.RunAsync(options);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        Assert.Equal(3000, result.RowsCopied);
        Assert.Equal(31, result.ChunksVerified); // 30 full chunks and the open-ended last one
        Assert.Equal(3000, result.RowsVerified);
    }

    internal static async Task<Dictionary<string, string>> ColumnsAsync(string schema, string table)
    {
        await using var connection = await PgServer.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped",
            connection);
        command.Parameters.Add(new() { Value = schema });
        command.Parameters.Add(new() { Value = table });
        await using var reader = await command.ExecuteReaderAsync();
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            result[reader.GetString(0)] = reader.GetString(1);
        }

        return result;
    }

    internal static async Task<List<string>> NamesAsync(string sql)
    {
        await using var connection = await PgServer.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>No trigger, function, change log or shadow is left; the old table is kept.</summary>
    internal static async Task AssertNoHelpersAsync(string schema, string table)
    {
        var relations = await NamesAsync($"SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema.Replace("'", "''", StringComparison.Ordinal)}' AND c.relkind = 'r' ORDER BY 1");
        Assert.DoesNotContain(relations, r => r.EndsWith("_new", StringComparison.Ordinal) || r.EndsWith("_log", StringComparison.Ordinal) || r.EndsWith("_state", StringComparison.Ordinal));
        Assert.Contains(relations, r => r.EndsWith("_old", StringComparison.Ordinal) && r.StartsWith('_'));
        Assert.Empty(await NamesAsync($"SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema.Replace("'", "''", StringComparison.Ordinal)}' AND NOT t.tgisinternal"));
        Assert.Empty(await NamesAsync($"SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = '{schema.Replace("'", "''", StringComparison.Ordinal)}'"));
        _ = table;
    }
}
