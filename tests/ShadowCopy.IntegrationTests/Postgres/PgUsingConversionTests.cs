using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// Issue #14 on PostgreSQL: <c>ALTER COLUMN … TYPE … USING expr</c> and generated columns turned
/// plain. Writers change the table and a control twin in the same transactions during the copy and a
/// postponed cut-over; afterwards the server's own ALTER is applied to the control, and the two must
/// be equal row for row — without delta verification having had to re-apply a single row, so the
/// copy and the applier themselves computed the server's values (ADR 0019).
/// </summary>
[Collection("postgres")]
public sealed class PgUsingConversionTests
{
    private const long SeedRows = 20_000;

    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Alter_UsingExpressionsWithSixWriters_TableEqualsServersOwnAlterOfControl(string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var l = new PgTableLayout(schema.Name, "orders", "orders_control");
        await l.CreateAsync(SeedRows);
        // Expressions over other columns of the row (n), casts the server needs USING for, and a
        // unique column whose values change (the appliers' collision handling sees new values).
        var alter = $"ALTER COLUMN {l.Amount} TYPE bigint USING (round({l.Amount} * 100)::bigint + {l.N}), "
            + $"ALTER COLUMN {l.Doc} TYPE text USING ({l.Doc} ->> 'tag'), "
            + $"ALTER COLUMN {l.Email} TYPE text USING upper({l.Email}), "
            + $"ALTER COLUMN {l.At} TYPE date USING ({l.At} AT TIME ZONE 'UTC')::date, "
            + $"ALTER COLUMN {l.Body} TYPE integer USING length({l.Body})";

        await using var load = new PgWriterLoad(l, writers: 6);
        await load.StartAsync(SeedRows);
        await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));
        var (result, sink) = await RunPostponedAsync(schema.Name, "orders", alter, capture, load.StopAsync);

        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
        Assert.True(result.ChangesApplied > 0, "no captured change was applied: the writers did not overlap the copy");
        Assert.True(result.ChunksRecopied == 0, "verification had to re-copy chunks: " + string.Join(" | ", sink.Messages));
        Assert.True(result.RowsReapplied == 0, $"delta verification re-applied {result.RowsReapplied} row(s): the applier computed other values than the copy");
        await PgServer.ExecAsync($"ALTER TABLE {l.Control} {alter}");
        Assert.Equal(await RowsChecksumAsync(l.Control), await RowsChecksumAsync(l.Table));
        Assert.Equal("bigint", await TypeAsync(schema.Name, "orders", "amount"));
        await PgConcurrentAlterTests.AssertNoHelpersAsync(schema.Name, "orders");
    }

    /// <summary>
    /// pgoutput sends neither generated columns nor unchanged TOASTed values. The generated column
    /// turned plain must hold what its expression gave; a USING expression over a TOASTed column must
    /// still see that column's value when an update did not touch it.
    /// </summary>
    [Theory]
    [InlineData("trigger")]
    [InlineData("logical")]
    public async Task Alter_DropExpressionAndUsingOverToastedColumn_WithWriters_TableEqualsServersOwnAlter(string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var table = schema.Table("docs");
        var control = schema.Table("docs_control");
        await PgServer.ExecAsync($"""
            CREATE TABLE {table} (id integer PRIMARY KEY, big text, k integer NOT NULL, g integer GENERATED ALWAYS AS (k * 3 + 1) STORED);
            CREATE TABLE {control} (id integer PRIMARY KEY, big text, k integer NOT NULL, g integer GENERATED ALWAYS AS (k * 3 + 1) STORED);
            ALTER TABLE {table} ALTER COLUMN big SET STORAGE EXTERNAL;
            ALTER TABLE {control} ALTER COLUMN big SET STORAGE EXTERNAL;
            INSERT INTO {table} (id, big, k) SELECT g, repeat(md5(g::text), 100 + g % 50), g FROM generate_series(1, 2000) g;
            INSERT INTO {control} (id, big, k) SELECT id, big, k FROM {table};
            ANALYZE {table};
            """);
        const string Alter = "ALTER COLUMN g DROP EXPRESSION, ALTER COLUMN k TYPE text USING (k || ':' || length(big) || ':' || left(big, 4))";

        using var stop = new CancellationTokenSource();
        long operations = 0;
        var errors = new List<string>();
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            await using var connection = await PgServer.OpenAsync();
            var next = 100_000 * (w + 1);
            while (!stop.IsCancellationRequested)
            {
                var id = 1 + random.Next(2000);
                // k only (big stays TOASTed and unsent), big only, a new row, a delete.
                var (sql, args) = random.Next(4) switch
                {
                    0 or 1 => ("UPDATE {0} SET k = k + 1 WHERE id = $1", new object[] { id }),
                    2 => ("UPDATE {0} SET big = repeat(md5($2), 120) WHERE id = $1", [id, random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)]),
                    _ => random.Next(2) == 0
                        ? ("INSERT INTO {0} (id, big, k) VALUES ($1, repeat(md5($1::text), 130), $1)", [next++])
                        : ("DELETE FROM {0} WHERE id = $1", [id]),
                };
                try
                {
                    await using var tx = await connection.BeginTransactionAsync();
                    foreach (var target in new[] { table, control })
                    {
                        await using var command = new NpgsqlCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, sql, target), connection, tx);
                        foreach (var arg in args)
                        {
                            command.Parameters.Add(new() { Value = arg });
                        }

                        await command.ExecuteNonQueryAsync();
                    }

                    await tx.CommitAsync();
                    Interlocked.Increment(ref operations);
                }
                catch (NpgsqlException error)
                {
                    lock (errors)
                    {
                        errors.Add(error.Message);
                    }
                }

                await Task.Delay(random.Next(1, 4));
            }
        })).ToList();

        async Task StopWritersAsync()
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        var (result, _) = await RunPostponedAsync(schema.Name, "docs", Alter, capture, StopWritersAsync);
        await StopWritersAsync();

        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.True(errors.Count == 0, "writer errors: " + string.Join(" | ", errors.Take(5)));
        Assert.True(Interlocked.Read(ref operations) > 50, $"only {operations} writes overlapped the run");
        Assert.True(result.RowsReapplied == 0, $"delta verification re-applied {result.RowsReapplied} row(s): the applier computed other values than the copy");
        await PgServer.ExecAsync($"ALTER TABLE {control} {Alter}");
        Assert.Equal(await RowsChecksumAsync(control), await RowsChecksumAsync(table));
        Assert.Equal("integer", await TypeAsync(schema.Name, "docs", "g"));
    }

    [Fact]
    public async Task Alter_UsingCallsVolatileFunction_RefusedWithExit7AndNothingCreated()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var table = schema.Table("t");
        await PgServer.ExecAsync($"CREATE TABLE {table} (id integer PRIMARY KEY, n integer); INSERT INTO {table} SELECT g, g FROM generate_series(1, 10) g;");

        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "t", "ALTER COLUMN n TYPE double precision USING (n + random())"));
        var timed = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "t", "ALTER COLUMN n TYPE text USING (n || current_timestamp::text)"));

        Assert.Equal(ExitCodes.AlterRejected, result.ExitCode);
        Assert.Contains("depends on when it runs (random)", result.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.AlterRejected, timed.ExitCode);
        Assert.Contains("current_timestamp", timed.Message, StringComparison.Ordinal);
        Assert.Equal("integer", await TypeAsync(schema.Name, "t", "n"));
        Assert.Equal(1L, await PgServer.ScalarAsync<long>($"SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = '{schema.Name}' AND c.relkind = 'r'"));
    }

    [Fact]
    public async Task Alter_UsingOnKeyColumn_RefusedAsKeyNotMappable()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var table = schema.Table("t");
        await PgServer.ExecAsync($"CREATE TABLE {table} (id integer PRIMARY KEY, n integer); INSERT INTO {table} VALUES (1, 1);");

        var result = await PgAlterHarness.RunAsync(PgAlterHarness.Options(schema.Name, "t", "ALTER COLUMN id TYPE bigint USING (id * 2)"));

        Assert.Equal(ExitCodes.KeyNotMappable, result.ExitCode);
        Assert.Contains("no USING expression", result.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await PgServer.ScalarAsync<long>($"SELECT id::bigint FROM {table}"));
    }

    /// <summary>Runs with the cut-over postponed; once postponed, stops the writers, then lets it cut over.</summary>
    private static async Task<(AlterResult Result, RecordingStatusSink Sink)> RunPostponedAsync(string schema, string table, string alter, string capture, Func<Task> stopWriters)
    {
        var flag = Path.Combine(Path.GetTempPath(), $"postpone-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(flag, "hold");
        var sink = new RecordingStatusSink();
        var run = PgAlterHarness.RunAsync(
            PgAlterHarness.Options(schema, table, alter) with { PostponeCutOverFlagFile = flag },
            sink: sink,
            capture: PgAlterHarness.Logical with { Mode = capture });
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (!sink.Phases.Contains(Phase.Postponed) && DateTime.UtcNow < deadline && !run.IsCompleted)
            {
                await Task.Delay(50);
            }

            // Writes go on for a while during the postponed wait, then stop: the table and the
            // control then differ only by the ALTER each gets.
            await Task.Delay(1500);
            await stopWriters();
        }
        finally
        {
            File.Delete(flag);
        }

        return (await run, sink);
    }

    private static Task<string> RowsChecksumAsync(string table) =>
        PgServer.ScalarAsync<string>($"SELECT count(*)::text || ':' || coalesce(sum(hashtextextended(r::text, 0)::numeric), 0)::text FROM {table} r");

    private static Task<string> TypeAsync(string schema, string table, string column) =>
        PgServer.ScalarAsync<string>($"SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '{PgServer.Q(schema)}.{PgServer.Q(table)}'::regclass AND attname = '{column}'");
}
