using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using ShadowCopy.Core.Sql;
using ShadowCopy.MySql.Capture.Binlog;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.Benchmarks;

/// <summary>
/// The binlog applier's statement path against the local MariaDB (scripts/servers start): per row change a
/// DELETE by key and a one-row INSERT … VALUES of literals (what MySqlRowApplier sends for an UPDATE),
/// 100 changes per transaction, on the e2e benchmark's row shape, through MySqlSession (MySqlConnector). Per
/// change. ADR 0022 records this benchmark against our former wire client (commit d56fd6e had both).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ServerBenchmarkConfig))]
public class ApplierStatementBenchmarks
{
    private const int Changes = 100;
    private const string Table = "bench_applier";
    private readonly List<(string Delete, string Insert)> _statements = [];
    private Func<string, Task> _execute = null!;
    private Func<ValueTask> _dispose = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _execute = await ClientStatements.OpenAsync(d => _dispose = d);
        await _execute($"DROP TABLE IF EXISTS {Table}");
        await _execute(BenchTables.Create(Table));
        await _execute(BenchTables.Seed(Table, Changes));
        for (var id = 1; id <= Changes; id++)
        {
            var values = string.Join(", ", [
                id.ToString(CultureInfo.InvariantCulture),
                (id * 7919 % 1000).ToString(CultureInfo.InvariantCulture),
                Text(string.Concat(Enumerable.Repeat("0123456789abcdef", 7)) + "abcdefgh"),
                Text("padding-pad-pad-pad" + new string('x', 32)),
                Text($"{{\"g\": {id}, \"x\": \"ü✓\"}}"),
                "'2024-01-01 00:00:00.123456'",
                (id / 100.0m).ToString(CultureInfo.InvariantCulture),
                Text($"row {id} 🚀"),
            ]);
            _statements.Add(($"DELETE FROM {Table} WHERE id = {id}", $"INSERT INTO {Table} ({BenchTables.Columns}) VALUES ({values})"));
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _execute($"DROP TABLE IF EXISTS {Table}");
        await _dispose();
    }

    [Benchmark(OperationsPerInvoke = Changes)]
    public async Task ApplyUpdates()
    {
        await _execute("START TRANSACTION");
        foreach (var (delete, insert) in _statements)
        {
            await _execute(delete);
            await _execute(insert);
        }

        await _execute("COMMIT");
    }

    private static string Text(string value) => MySqlEscaping.QuoteBytesAs(Encoding.UTF8.GetBytes(value), "utf8mb4");
}
