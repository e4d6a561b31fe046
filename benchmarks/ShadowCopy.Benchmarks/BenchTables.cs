namespace ShadowCopy.Benchmarks;

/// <summary>The e2e benchmark's sysbench-style row (benchmarks/e2e/run), for the server-backed benchmarks.</summary>
internal static class BenchTables
{
    public const string Columns = "id, k, c, pad, doc, created, amount, note";

    public static string Create(string name) =>
        $"CREATE TABLE {name} (id INT NOT NULL AUTO_INCREMENT, k INT NOT NULL DEFAULT 0, c CHAR(120) NOT NULL DEFAULT '', pad CHAR(60) NOT NULL DEFAULT '', "
        + "doc JSON NULL, created DATETIME(6) NULL, amount DECIMAL(12,2) NULL, note VARCHAR(64) NULL, PRIMARY KEY (id), KEY k_1 (k)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

    public static string Seed(string name, int rows) =>
        $"INSERT INTO {name} ({Columns}) SELECT seq, (seq * 7919) % {rows}, CONCAT(MD5(seq), MD5(seq + 1), MD5(seq + 2), 'abcdefgh'), CONCAT(MD5(seq * 3), 'padding-pad-pad-pad'), "
        + "IF(seq % 10 = 0, NULL, JSON_OBJECT('g', seq, 'x', 'ü✓')), TIMESTAMP'2024-01-01 00:00:00.123456' + INTERVAL seq * 1000001 MICROSECOND, "
        + $"IF(seq % 7 = 0, NULL, (seq % 100000) / 100.0), IF(seq % 3 = 0, NULL, CONCAT('row ', seq, ' 🚀')) FROM seq_1_to_{rows}";
}
