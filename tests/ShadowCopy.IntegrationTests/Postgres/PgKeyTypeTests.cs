using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>
/// Issue 16, point 4: every key type PostgreSQL can index and order, in both capture modes, with four
/// writers inserting, updating (the key too) and deleting during the copy, and the result compared by
/// checksum with a control table written in the same transactions. Key values come from SQL
/// expressions over an integer g, so the writers make new keys of any type the same way on both sides.
/// </summary>
[Collection("postgres")]
public sealed class PgKeyTypeTests
{
    /// <summary>Key column definitions and, per column, an expression of g that makes its value.</summary>
    private static readonly Dictionary<string, (string Columns, string[] Values, string? Setup)> Keys = new()
    {
        ["uuid"] = ("k uuid", ["md5(g::text)::uuid"], null),
        // Byte strings of different lengths, the empty one among them (g = 0).
        ["bytea"] = ("k bytea", ["decode(substr(md5(g::text), 1, g % 9 * 2), 'hex') || int4send(g)"], null),
        ["citext"] = ("k citext", ["CASE WHEN g % 2 = 0 THEN upper(md5(g::text)) ELSE md5(g::text) END"], "CREATE EXTENSION IF NOT EXISTS citext"),
        // Labels declared out of alphabetical order: the key's order is the declaration's.
        ["enum"] = ("e {schema}.\"mood ✓\", k integer", ["(ARRAY['zeta', 'alpha', 'mid', 'Üml']::{schema}.\"mood ✓\"[])[1 + g % 4]", "g"], "CREATE TYPE {schema}.\"mood ✓\" AS ENUM ('zeta', 'alpha', 'mid', 'Üml')"),
        ["inet"] = ("k inet", ["CASE WHEN g % 3 = 0 THEN ('2001:db8::' || to_hex(g))::inet ELSE ('10.' || (g / 65536) % 256 || '.' || (g / 256) % 256 || '.' || g % 256)::inet END"], null),
        // Negative, zero and fractional values; 1.5 and 1.50 are the same key.
        ["numeric"] = ("k numeric(20,4)", ["(g - 2000) * 1.37"], null),
        ["timestamptz"] = ("k timestamptz", ["timestamptz '1999-12-31 23:59:59.5+00' + g * interval '1 hour 0.001 second'"], null),
        ["timestamp"] = ("k timestamp(3)", ["timestamp '0001-01-01 00:00:00' + g * interval '17 days 1.25 second'"], null),
        // ICU order differs from the byte order: 'a' < 'B' < 'c'.
        ["text-icu"] = ("k text COLLATE \"en-x-icu\"", ["CASE g % 3 WHEN 0 THEN upper(md5(g::text)) WHEN 1 THEN md5(g::text) ELSE 'é' || g END"], null),
        // Expression (functional), partial and unique expression indexes ride along with the key.
        ["uuid-expression-indexes"] = ("k uuid", ["md5(g::text)::uuid"], "CREATE INDEX ON {table} (lower(k::text)); CREATE INDEX ON {table} (v) WHERE v > 100; CREATE UNIQUE INDEX ON {table} ((seq * 2))"),
        ["composite"] = ("e {schema}.\"mood ✓\", t text COLLATE \"en-x-icu\", u uuid, n numeric", ["(ARRAY['zeta', 'alpha', 'mid', 'Üml']::{schema}.\"mood ✓\"[])[1 + g % 4]", "CASE WHEN g % 2 = 0 THEN 'B' ELSE 'a' END", "md5((g % 5)::text)::uuid", "g / 10.0"], "CREATE TYPE {schema}.\"mood ✓\" AS ENUM ('zeta', 'alpha', 'mid', 'Üml')"),
    };

    private readonly ITestOutputHelper _output;

    public PgKeyTypeTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var key in Keys.Keys)
        {
            data.Add(key, "trigger");
            data.Add(key, "logical");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Alter_KeyType_WithWritersChangingKeys_MatchesControl(string keyType, string capture)
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var (columns, values, setup) = Keys[keyType];
        columns = columns.Replace("{schema}", schema.Q, StringComparison.Ordinal);
        values = values.Select(v => v.Replace("{schema}", schema.Q, StringComparison.Ordinal)).ToArray();
        var keyNames = columns.Split(", ").Select(c => c.Split(' ')[0]).ToArray();
        var table = schema.Table("keyed");
        var control = schema.Table("keyed_ctl");
        if (setup is not null && !setup.Contains("{table}", StringComparison.Ordinal))
        {
            await PgServer.ExecAsync(setup.Replace("{schema}", schema.Q, StringComparison.Ordinal));
        }

        const int Rows = 3000;
        foreach (var t in new[] { table, control })
        {
            await PgServer.ExecAsync($"CREATE TABLE {t} ({columns}, seq integer NOT NULL UNIQUE, v integer NOT NULL, PRIMARY KEY ({string.Join(", ", keyNames)}))");
            await PgServer.ExecAsync($"INSERT INTO {t} SELECT {string.Join(", ", values)}, g, g FROM generate_series(0, {Rows - 1}) g");
        }

        if (setup is not null && setup.Contains("{table}", StringComparison.Ordinal))
        {
            await PgServer.ExecAsync(setup.Replace("{table}", table, StringComparison.Ordinal));
        }

        var indexes = $"SELECT string_agg(pg_get_indexdef(indexrelid), ' | ' ORDER BY pg_get_indexdef(indexrelid)) FROM pg_index WHERE indrelid = '{table.Replace("'", "''", StringComparison.Ordinal)}'::regclass";
        var indexesBefore = await PgServer.ScalarAsync<string>(indexes);
        long operations = 0;
        var errors = new List<string>();
        using var stop = new CancellationTokenSource();
        var assignments = string.Join(", ", keyNames.Zip(values, (k, e) => $"{k} = {e}"));
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            // Each writer owns the rows whose seq % 4 is its number, so writers never race each other
            // (under READ COMMITTED a row another writer inserts could be visible to one table's
            // statement and not to the other's); every difference is the tool's.
            var random = new Random(w);
            var owned = Rows / 4;
            await using var connection = await PgServer.OpenAsync();
            while (!stop.IsCancellationRequested)
            {
                var target = (random.Next(owned) * 4) + w;
                var fresh = (owned++ * 4) + w;
                string[] statements = random.Next(4) switch
                {
                    0 => [$"UPDATE @T@ SET v = v + 1 WHERE seq = {target}"],
                    1 => [$"UPDATE @T@ SET {assignments}, seq = g FROM (SELECT {fresh} AS g) x WHERE seq = {target}"],
                    2 => [$"DELETE FROM @T@ WHERE seq = {target}"],
                    _ => [$"INSERT INTO @T@ SELECT {string.Join(", ", values)}, g, 0 FROM (SELECT {fresh} AS g) x"],
                };
                await using var tx = await connection.BeginTransactionAsync();
                try
                {
                    foreach (var t in new[] { table, control })
                    {
                        await using var command = new NpgsqlCommand(statements[0].Replace("@T@", t, StringComparison.Ordinal), connection, tx);
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

                await Task.Delay(2);
            }
        })).ToList();

        var options = PgAlterHarness.Options(schema.Name, "keyed", "ADD COLUMN note text DEFAULT 'x', ALTER COLUMN v TYPE bigint") with
        {
            MaxRowsPerSecond = 1500,
            InitialChunkSize = 100,
            MaxChunkSize = 300,
        };
        AlterResult result;
        try
        {
            result = await PgAlterHarness.RunAsync(options, capture: capture == "logical" ? PgAlterHarness.Logical : null);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        _output.WriteLine($"{keyType} {capture}: exit {result.ExitCode}, {operations} writes, {result.ChangesApplied} changes applied: {result.Message}");
        Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
        Assert.True(errors.Count == 0, string.Join(" | ", errors.Distinct()));
        Assert.True(result.ChangesApplied > 0, "no change was applied: the writers did not overlap the copy");
        var sum = $"SELECT count(*)::text || ':' || coalesce(sum(hashtextextended(ROW({string.Join(", ", keyNames)}, seq, v::integer)::text, 0)::numeric), 0)::text FROM ";
        var rows = $"{string.Join(", ", keyNames)}, seq, v::integer";
        var diff = await PgServer.ScalarAsync<string>(
            $"SELECT coalesce(string_agg(d::text, ' | '), '') FROM ((SELECT 'missing', {rows} FROM {control} EXCEPT SELECT 'missing', {rows} FROM {table}) UNION ALL (SELECT 'extra', {rows} FROM {table} EXCEPT SELECT 'extra', {rows} FROM {control}) LIMIT 10) d");
        Assert.True(await PgServer.ScalarAsync<string>(sum + control) == await PgServer.ScalarAsync<string>(sum + table), $"table differs from control: {diff}");
        Assert.Equal("bigint", (await PgConcurrentAlterTests.ColumnsAsync(schema.Name, "keyed"))["v"]);
        Assert.Equal(indexesBefore, await PgServer.ScalarAsync<string>(indexes));
        await PgConcurrentAlterTests.AssertNoHelpersAsync(schema.Name, "keyed");
        await PgLogicalCaptureTests.AssertNoSlotOrPublicationAsync(schema.Name, "keyed");
    }
}
