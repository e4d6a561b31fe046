using BenchmarkDotNet.Attributes;
using ShadowCopy.Core.Sql;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.Benchmarks;

/// <summary>
/// The row path through the client: a chunk of 1,000 rows of the e2e row shape is read, every value
/// turned into a literal, and written as INSERT IGNORE … VALUES in batches of 500, then the target is
/// emptied again (DELETE, the same server work for both clients). When measured (ADR 0022) this was the
/// trigger mode's copy for AUTO_INCREMENT shadows; since ADR 0020 the same read-and-literal work serves
/// the trigger capture's final drain under the cut-over lock (rows read on the locking session, staged
/// on the applier's). Against the local MariaDB.
/// Through MySqlSession (MySqlConnector). Per row. ADR 0022 records this benchmark against our former wire
/// client (commit d56fd6e had both).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ServerBenchmarkConfig))]
public class TriggerRowPathBenchmarks
{
    private const int Rows = 1000;
    private const string Source = "bench_rows_src";
    private const string Target = "bench_rows_dst";
    private const string Select = $"SELECT {BenchTables.Columns} FROM {Source} WHERE id BETWEEN 1 AND 1000 ORDER BY id";
    private MySqlSession _session = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _session = await MySqlSession.OpenAsync(LocalMariaDb.Settings(), new SqlTranscript { Enabled = false }, CancellationToken.None);

        foreach (var sql in new[] { $"DROP TABLE IF EXISTS {Source}, {Target}", BenchTables.Create(Source), BenchTables.Create(Target), BenchTables.Seed(Source, Rows) })
        {
            await ExecuteAsync(sql);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await ExecuteAsync($"DROP TABLE IF EXISTS {Source}, {Target}");
        await _session.DisposeAsync();
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    public async Task CopyChunkThroughClient()
    {
        var rows = await _session.QueryAsync(Select, CancellationToken.None);
        var tuples = rows.Rows.Select(r => "(" + string.Join(", ", Enumerable.Range(0, rows.Columns.Count).Select(i => MySqlLiteral.FromText(rows.Columns[i], r, i))) + ")").ToList();

        foreach (var batch in tuples.Chunk(500))
        {
            await ExecuteAsync($"INSERT IGNORE INTO {Target} ({BenchTables.Columns}) VALUES {string.Join(", ", batch)}");
        }

        await ExecuteAsync($"DELETE FROM {Target}");
    }

    private Task ExecuteAsync(string sql) => _session.ExecuteAsync(sql, CancellationToken.None);
}
