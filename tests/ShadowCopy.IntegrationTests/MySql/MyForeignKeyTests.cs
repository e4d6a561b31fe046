using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Protocol;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// Foreign keys across the swap (ADR 0026): the table's own keys (to another table and to itself) keep
/// their names on the new table while writers insert, update and delete parents throughout. Other tables'
/// keys (children) are refused on MySQL/MariaDB, also with --repoint-foreign-keys, and nothing changes.
/// </summary>
[Collection("mysql")]
public sealed class MyForeignKeyTests
{
    private const int Parents = 3000;
    private const int BigChildRows = 150_000;

    private static string T(string name) => $"{Q(Database)}.{Q(name)}";

    private sealed record Fixture(string Parent, string Group, string Control, string Small, string Big)
    {
        public IEnumerable<string> Tables => [Small, Big, Parent, Control, Group, "_" + Parent + "_old"];
    }

    private static async Task<Fixture> CreateAsync(string prefix, bool children = true)
    {
        var parent = UniqueName(prefix);
        var f = new Fixture(parent, parent + "_g", parent + "_ctl", parent + "_c1", parent + "_c2");
        await ExecAsync($"CREATE TABLE {T(f.Group)} (id INT PRIMARY KEY) ENGINE=InnoDB");
        await ExecAsync($"INSERT INTO {T(f.Group)} SELECT seq FROM seq_1_to_10");
        await ExecAsync($"CREATE TABLE {T(f.Parent)} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, gid INT NULL, up INT NULL, v INT NOT NULL, " +
            $"CONSTRAINT {Q(f.Parent + "_g")} FOREIGN KEY (gid) REFERENCES {T(f.Group)} (id), CONSTRAINT {Q(f.Parent + "_self")} FOREIGN KEY (up) REFERENCES {T(f.Parent)} (id)) ENGINE=InnoDB");
        await ExecAsync($"INSERT INTO {T(f.Parent)} (id, gid, up, v) SELECT seq, 1 + seq % 10, IF(seq > 1, seq - 1, NULL), seq FROM seq_1_to_{Parents}");
        await ExecAsync($"CREATE TABLE {T(f.Control)} (id INT NOT NULL PRIMARY KEY, gid INT NULL, up INT NULL, v INT NOT NULL) ENGINE=InnoDB");
        await ExecAsync($"INSERT INTO {T(f.Control)} SELECT * FROM {T(f.Parent)}");
        if (!children)
        {
            return f;
        }

        await ExecAsync($"CREATE TABLE {T(f.Small)} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, pid INT NOT NULL, CONSTRAINT {Q(f.Small + "_p")} FOREIGN KEY (pid) REFERENCES {T(f.Parent)} (id)) ENGINE=InnoDB");
        await ExecAsync($"INSERT INTO {T(f.Small)} (pid) SELECT 1 + seq % {Parents} FROM seq_1_to_500");
        await ExecAsync($"CREATE TABLE {T(f.Big)} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, pid INT NULL, pad CHAR(60) NOT NULL DEFAULT 'x', CONSTRAINT {Q(f.Big + "_p")} FOREIGN KEY (pid) REFERENCES {T(f.Parent)} (id) ON DELETE CASCADE) ENGINE=InnoDB");
        await ExecAsync($"INSERT INTO {T(f.Big)} (pid) SELECT 1 + seq % {Parents} FROM seq_1_to_{BigChildRows}");
        await ExecAsync($"ANALYZE TABLE {T(f.Big)}");
        return f;
    }

    private static async Task DropAllAsync(Fixture f)
    {
        await using var connection = await OpenAsync();
        await connection.ExecuteAsync("SET SESSION foreign_key_checks = 0");
        foreach (var table in f.Tables.Concat(["_" + f.Parent + "_new", "_" + f.Parent + "_log", "_" + f.Parent + "_state"]))
        {
            await connection.ExecuteAsync($"DROP TABLE IF EXISTS {T(table)}");
        }
    }

    /// <summary>Parents (with their control row, same transaction) and children of fresh parents, until stopped.</summary>
    private static async Task<(long Operations, List<string> Errors)> WriteAsync(Fixture f, CancellationToken stop)
    {
        var errors = new List<string>();
        long operations = 0;
        await using var connection = await OpenAsync();
        var random = new Random(7);
        var fresh = new List<long>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await connection.ExecuteAsync("START TRANSACTION");
                var gid = 1 + random.Next(10);
                var up = 1 + random.Next(Parents);
                await connection.ExecuteAsync($"INSERT INTO {T(f.Parent)} (gid, up, v) VALUES ({gid}, {up}, 0)");
                var id = long.Parse((await connection.QueryAsync("SELECT LAST_INSERT_ID()")).Rows[0].GetString(0), System.Globalization.CultureInfo.InvariantCulture);
                await connection.ExecuteAsync($"INSERT INTO {T(f.Control)} VALUES ({id}, {gid}, {up}, 0)");
                var touched = 1 + random.Next(Parents);
                await connection.ExecuteAsync($"UPDATE {T(f.Parent)} SET v = v + 1 WHERE id = {touched}");
                await connection.ExecuteAsync($"UPDATE {T(f.Control)} SET v = v + 1 WHERE id = {touched}");
                await connection.ExecuteAsync("COMMIT");
                fresh.Add(id);

                if (fresh.Count > 20 && random.Next(4) == 0)
                {
                    // A fresh parent goes again; rows of the table that point at it (self key) are refused.
                    var victim = fresh[0];
                    fresh.RemoveAt(0);
                    await connection.ExecuteAsync("START TRANSACTION");
                    await connection.ExecuteAsync($"DELETE FROM {T(f.Parent)} WHERE id = {victim}");
                    await connection.ExecuteAsync($"DELETE FROM {T(f.Control)} WHERE id = {victim}");
                    await connection.ExecuteAsync("COMMIT");
                }

                operations++;
            }
            catch (MySqlServerException error)
            {
                errors.Add(error.Message);
                await connection.ExecuteAsync("ROLLBACK");
            }

            await Task.Delay(2, CancellationToken.None);
        }

        return (operations, errors);
    }

    private static async Task<List<string>> ConstraintsAsync(Fixture f) =>
        await ColumnAsync(
            $"SELECT CONCAT(TABLE_NAME, ':', CONSTRAINT_NAME, '->', REFERENCED_TABLE_NAME) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = {Lit(Database)} " +
            $"AND (TABLE_NAME IN ({string.Join(", ", f.Tables.Select(Lit))}) OR REFERENCED_TABLE_NAME IN ({string.Join(", ", f.Tables.Select(Lit))})) ORDER BY 1");

    private static async Task<string?> ChecksumAsync(string table) =>
        await ScalarAsync($"SELECT CONCAT(COUNT(*), '/', COALESCE(SUM(CRC32(CONCAT_WS('|', id, gid, up, v))), 0)) FROM {T(table)}");

    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task Own_foreign_keys_keep_their_names_under_writers(CaptureMode capture)
    {
        var f = await CreateAsync("fk" + (capture == CaptureMode.Binlog ? "b" : "t"), children: false);
        try
        {
            using var stop = new CancellationTokenSource();
            var writer = Task.Run(() => WriteAsync(f, stop.Token));
            await Task.Delay(300);
            // --repoint-foreign-keys with no children to move is not refused.
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note VARCHAR(20) NULL, MODIFY v BIGINT NOT NULL") with { RepointForeignKeys = true, MaxRowsPerSecond = 4000 };
            var result = await MyAlterHarness.RunAsync(options, capture);
            await Task.Delay(500);
            await stop.CancelAsync();
            var (operations, errors) = await writer;
            Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
            Assert.True(operations > 20, $"only {operations} write rounds");
            Assert.True(errors.Count == 0, string.Join("\n", errors.Take(5)));

            // Names kept, on the new table; the old table keeps none.
            Assert.Equal(
                new[] { $"{f.Parent}:{f.Parent}_g->{f.Group}", $"{f.Parent}:{f.Parent}_self->{f.Parent}" }.Order(StringComparer.Ordinal),
                (await ConstraintsAsync(f)).Order(StringComparer.Ordinal));
            Assert.Equal("note", await ScalarAsync($"SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(f.Parent)} AND COLUMN_NAME = 'note'"));
            Assert.Equal(await ChecksumAsync(f.Control), await ChecksumAsync(f.Parent));

            // The keys are enforced on the new table: a missing group, a missing row of itself, a referenced row.
            var gone = await Assert.ThrowsAsync<MySqlServerException>(() => ExecAsync($"INSERT INTO {T(f.Parent)} (gid, v) VALUES (999, 0)"));
            Assert.Equal(1452, gone.ErrorCode);
            var self = await Assert.ThrowsAsync<MySqlServerException>(() => ExecAsync($"INSERT INTO {T(f.Parent)} (up, v) VALUES (-1, 0)"));
            Assert.Equal(1452, self.ErrorCode);
            var referenced = await Assert.ThrowsAsync<MySqlServerException>(() => ExecAsync($"DELETE FROM {T(f.Parent)} WHERE id = 1"));
            Assert.Equal(1451, referenced.ErrorCode);

            // The old table no longer checks anything: a group its rows name can go.
            await ExecAsync($"DELETE FROM {T("_" + f.Parent + "_old")} WHERE gid = 10");
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = {Lit(Database)} AND CONSTRAINT_NAME LIKE {Lit("%\\_fk")}"));
        }
        finally
        {
            await DropAllAsync(f);
        }
    }

    /// <summary>
    /// Children (one of 150,000 rows) with writers on them: --repoint-foreign-keys is refused on
    /// MySQL/MariaDB (ADR 0026), executed or dry-run, and the keys, the rows and the schema stay as they were.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Binlog, true)]
    [InlineData(CaptureMode.Trigger, true)]
    [InlineData(CaptureMode.Binlog, false)]
    public async Task Children_are_refused_with_repoint_and_nothing_changes(CaptureMode capture, bool execute)
    {
        var f = await CreateAsync("fkr" + (capture == CaptureMode.Binlog ? "b" : "t") + (execute ? "x" : "d"));
        try
        {
            var before = await ConstraintsAsync(f);
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note INT") with { RepointForeignKeys = true, Execute = execute };
            var result = await MyAlterHarness.RunAsync(options, capture);
            Assert.True(result.ExitCode == ExitCodes.ForeignKeys, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal("refused", result.Outcome);
            Assert.StartsWith("--repoint-foreign-keys is not yet supported on MySQL/MariaDB", result.Message, StringComparison.Ordinal);
            Assert.Contains("--allow-foreign-keys", result.Message, StringComparison.Ordinal);
            Assert.Contains($"{f.Small}_p", result.Message, StringComparison.Ordinal);
            Assert.Equal(before, await ConstraintsAsync(f));
            Assert.Equal(await ChecksumAsync(f.Control), await ChecksumAsync(f.Parent));
            Assert.Null(await ScalarAsync($"SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(f.Parent)} AND COLUMN_NAME = 'note'"));
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME LIKE {Lit("\\_" + f.Parent + "\\_%")}"));
        }
        finally
        {
            await DropAllAsync(f);
        }
    }

    [Fact]
    public async Task Dry_run_lists_the_own_keys_moves()
    {
        var f = await CreateAsync("fkd", children: false);
        try
        {
            var before = await ConstraintsAsync(f);
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note INT") with { Execute = false };
            var result = await MyAlterHarness.RunAsync(options, CaptureMode.Binlog);
            Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
            Assert.Contains(result.Plan, p => p.Sql.Contains($"ADD CONSTRAINT {Q("_" + f.Parent + "_g_fk")}", StringComparison.Ordinal));
            Assert.Contains(result.Plan, p => p.Sql.Contains($"ADD CONSTRAINT {Q("_" + f.Parent + "_self_fk")}", StringComparison.Ordinal));
            Assert.Equal(before, await ConstraintsAsync(f));
        }
        finally
        {
            await DropAllAsync(f);
        }
    }

    [Theory]
    [InlineData("noflag", "ADD COLUMN note INT", false, "or pass --allow-foreign-keys")]
    [InlineData("repoint", "ADD COLUMN note INT", true, "is not yet supported on MySQL/MariaDB")]
    [InlineData("typeown", "MODIFY gid BIGINT NULL", true, "both sides of a key must stay alike")]
    [InlineData("cascade", "ADD COLUMN note INT", true, "reach neither the binlog nor triggers")]
    public async Task Refusals_say_why_and_change_nothing(string prefix, string alter, bool repoint, string? expected)
    {
        var f = await CreateSmallAsync(prefix);
        try
        {
            if (prefix == "cascade")
            {
                await ExecAsync($"ALTER TABLE {T(f.Parent)} DROP FOREIGN KEY {Q(f.Parent + "_g")}");
                await ExecAsync($"ALTER TABLE {T(f.Parent)} ADD CONSTRAINT {Q(f.Parent + "_g")} FOREIGN KEY (gid) REFERENCES {T(f.Group)} (id) ON DELETE SET NULL");
            }

            var before = await ConstraintsAsync(f) is var c ? string.Join(",", c) + await SnapshotAsync(f.Parent) : null;
            foreach (var capture in new[] { CaptureMode.Binlog, CaptureMode.Trigger })
            {
                var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(f.Parent, alter) with { RepointForeignKeys = repoint }, capture);
                Assert.True(result.ExitCode == ExitCodes.ForeignKeys, $"{prefix} ({capture}): exit {result.ExitCode}: {result.Message}");
                Assert.Equal("refused", result.Outcome);
                if (expected is not null)
                {
                    Assert.Contains(expected, result.Message, StringComparison.Ordinal);
                }

                Assert.Equal(before, string.Join(",", await ConstraintsAsync(f)) + await SnapshotAsync(f.Parent));
            }
        }
        finally
        {
            await DropAllAsync(f);
        }
    }

    /// <summary>
    /// The cut-over fails (or is cancelled) after the table's own keys were put on the shadow and before the
    /// go token: the keys go back under the lock. "once": the next attempt swaps; "always" and "cancel": the
    /// run ends with the keys as they were and nothing of the run left.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Binlog, "once", ExitCodes.Success)]
    [InlineData(CaptureMode.Trigger, "once", ExitCodes.Success)]
    [InlineData(CaptureMode.Trigger, "always", ExitCodes.CutOverFailed)]
    [InlineData(CaptureMode.Binlog, "cancel", ExitCodes.Cancelled)]
    public async Task A_failed_attempt_moves_the_keys_back(CaptureMode capture, string failure, int expected)
    {
        var f = await CreateSmallAsync("fkf" + failure[0]);
        try
        {
            await ExecAsync($"DROP TABLE {T(f.Small)}");
            var before = await ConstraintsAsync(f);
            var seenOnShadow = new List<string>();
            using var cancel = new CancellationTokenSource();
            var attempts = 0;
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note INT") with { CutOverAttempts = 3 };
            await using var backend = new MySqlAlterBackend(Settings(), options, capture, NullLogger.Instance)
            {
                BeforeGoTokenForTests = async _ =>
                {
                    // InnoDB's own dictionary: information_schema.REFERENTIAL_CONSTRAINTS would wait on the locked tables.
                    seenOnShadow.Add(await ScalarAsync($"SELECT SUBSTRING_INDEX(FOR_NAME, '/', -1) FROM information_schema.INNODB_SYS_FOREIGN WHERE ID = {Lit(Database + "/_" + f.Parent + "_g_fk")}") ?? "-");
                    if (++attempts == 1 || failure == "always")
                    {
                        if (failure == "cancel")
                        {
                            await cancel.CancelAsync();
                            throw new OperationCanceledException(cancel.Token);
                        }

                        throw new TimeoutException("test: the attempt fails before the go token");
                    }
                },
            };
            var result = await new AlterRunner(backend, options, NullStatusSink.Instance, NullLogger.Instance).RunAsync(cancel.Token);
            Assert.True(result.ExitCode == expected, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal("_" + f.Parent + "_new", seenOnShadow[0]);
            var after = await ConstraintsAsync(f);
            Assert.True(before.SequenceEqual(after), $"before: {string.Join(", ", before)}; after: {string.Join(", ", after)}; {result.Message}");
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME IN ({Lit("_" + f.Parent + "_new")}, {Lit("_" + f.Parent + "_log")})"));
            var missing = await Assert.ThrowsAsync<MySqlServerException>(() => ExecAsync($"INSERT INTO {T(f.Parent)} (gid) VALUES (-5)"));
            Assert.Equal(1452, missing.ErrorCode);
        }
        finally
        {
            await DropAllAsync(f);
        }
    }

    private static async Task<Fixture> CreateSmallAsync(string prefix)
    {
        var parent = UniqueName(prefix);
        var f = new Fixture(parent, parent + "_g", parent + "_ctl", parent + "_c1", parent + "_c2");
        await ExecAsync($"CREATE TABLE {T(f.Group)} (id INT PRIMARY KEY) ENGINE=InnoDB");
        await ExecAsync($"INSERT INTO {T(f.Group)} VALUES (1)");
        await ExecAsync($"CREATE TABLE {T(f.Parent)} (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, gid INT NULL, CONSTRAINT {Q(f.Parent + "_g")} FOREIGN KEY (gid) REFERENCES {T(f.Group)} (id)) ENGINE=InnoDB");
        await ExecAsync($"INSERT INTO {T(f.Parent)} (gid) VALUES (1), (1), (NULL)");
        await ExecAsync($"CREATE TABLE {T(f.Small)} (id INT PRIMARY KEY, pid INT, CONSTRAINT {Q(f.Small + "_p")} FOREIGN KEY (pid) REFERENCES {T(f.Parent)} (id)) ENGINE=InnoDB");
        await ExecAsync($"INSERT INTO {T(f.Small)} VALUES (1, 1)");
        return f;
    }
}
