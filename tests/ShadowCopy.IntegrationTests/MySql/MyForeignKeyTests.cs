using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Protocol;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// Foreign keys across the swap (ADR 0026): the table's own keys (to another table and to itself) keep
/// their names on the new table; two children's keys (one of 150,000 rows) are re-pointed at the swap;
/// writers insert parents and children throughout, children also of parents created moments before.
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

    private static async Task<Fixture> CreateAsync(string prefix)
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

                // A child of the parent just created, and of one created a while ago (after the swap too).
                await connection.ExecuteAsync($"INSERT INTO {T(f.Small)} (pid) VALUES ({id})");
                await connection.ExecuteAsync($"INSERT INTO {T(f.Big)} (pid) VALUES ({fresh[random.Next(fresh.Count)]})");
                if (fresh.Count > 20 && random.Next(4) == 0)
                {
                    // A fresh parent that only the big child references: deleting it cascades there.
                    var victim = fresh[0];
                    fresh.RemoveAt(0);
                    await connection.ExecuteAsync("START TRANSACTION");
                    await connection.ExecuteAsync($"DELETE FROM {T(f.Small)} WHERE pid = {victim}");
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
    public async Task Foreign_keys_keep_their_names_and_children_follow_the_new_table(CaptureMode capture)
    {
        var f = await CreateAsync("fk" + (capture == CaptureMode.Binlog ? "b" : "t"));
        try
        {
            using var stop = new CancellationTokenSource();
            var writer = Task.Run(() => WriteAsync(f, stop.Token));
            await Task.Delay(300);
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note VARCHAR(20) NULL, MODIFY v BIGINT NOT NULL") with { RepointForeignKeys = true, MaxRowsPerSecond = 4000 };
            var result = await MyAlterHarness.RunAsync(options, capture);
            await Task.Delay(500);
            await stop.CancelAsync();
            var (operations, errors) = await writer;
            Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
            Assert.True(operations > 20, $"only {operations} write rounds");
            Assert.True(errors.Count == 0, string.Join("\n", errors.Take(5)));

            // Names kept; every key on the new table or pointing at it; the old table keeps none.
            Assert.Equal(
                new[]
                {
                    $"{f.Small}:{f.Small}_p->{f.Parent}",
                    $"{f.Big}:{f.Big}_p->{f.Parent}",
                    $"{f.Parent}:{f.Parent}_g->{f.Group}",
                    $"{f.Parent}:{f.Parent}_self->{f.Parent}",
                }.Order(StringComparer.Ordinal),
                (await ConstraintsAsync(f)).Order(StringComparer.Ordinal));
            Assert.Equal("note", await ScalarAsync($"SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(f.Parent)} AND COLUMN_NAME = 'note'"));
            Assert.Equal(
                $"{f.Parent}.id",
                await ScalarAsync($"SELECT DISTINCT CONCAT(REFERENCED_TABLE_NAME, '.', REFERENCED_COLUMN_NAME) FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME IN ({Lit(f.Small)}, {Lit(f.Big)}) AND REFERENCED_TABLE_NAME IS NOT NULL"));

            // The data: the new table equals the control table; no child row lacks its parent.
            Assert.Equal(await ChecksumAsync(f.Control), await ChecksumAsync(f.Parent));
            foreach (var child in new[] { f.Small, f.Big })
            {
                Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM {T(child)} c WHERE c.pid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {T(f.Parent)} p WHERE p.id = c.pid)"));
            }

            // The keys are enforced against the new table: a missing parent, a referenced parent, a cascade.
            var missing = await Assert.ThrowsAsync<MySqlServerException>(() => ExecAsync($"INSERT INTO {T(f.Small)} (pid) VALUES (-5)"));
            Assert.Equal(1452, missing.ErrorCode);
            var gone = await Assert.ThrowsAsync<MySqlServerException>(() => ExecAsync($"INSERT INTO {T(f.Parent)} (gid, v) VALUES (999, 0)"));
            Assert.Equal(1452, gone.ErrorCode);
            var self = await Assert.ThrowsAsync<MySqlServerException>(() => ExecAsync($"INSERT INTO {T(f.Parent)} (up, v) VALUES (-1, 0)"));
            Assert.Equal(1452, self.ErrorCode);
            var referenced = await Assert.ThrowsAsync<MySqlServerException>(() => ExecAsync($"DELETE FROM {T(f.Parent)} WHERE id = (SELECT MIN(pid) FROM {T(f.Small)})"));
            Assert.Equal(1451, referenced.ErrorCode);
            await ExecAsync($"INSERT INTO {T(f.Parent)} (id, v) VALUES (-7, 0)");
            await ExecAsync($"INSERT INTO {T(f.Big)} (pid) VALUES (-7)");
            await ExecAsync($"DELETE FROM {T(f.Parent)} WHERE id = -7");
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM {T(f.Big)} WHERE pid = -7"));

            // The old table no longer checks anything: a group its rows name can go.
            await ExecAsync($"DELETE FROM {T("_" + f.Parent + "_old")} WHERE gid = 10");
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = {Lit(Database)} AND CONSTRAINT_NAME LIKE {Lit("%\\_fk")}"));
        }
        finally
        {
            await DropAllAsync(f);
        }
    }

    [Fact]
    public async Task Dry_run_lists_each_child_with_its_size_and_algorithm()
    {
        var f = await CreateAsync("fkd");
        try
        {
            var before = await ConstraintsAsync(f);
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note INT") with { RepointForeignKeys = true, Execute = false };
            var result = await MyAlterHarness.RunAsync(options, CaptureMode.Binlog);
            Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
            var repoint = result.Plan.Where(p => p.Sql.Contains($"ALTER TABLE {T(f.Big)}", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, repoint.Count);
            Assert.All(repoint, p => Assert.Contains("ALGORITHM=NOCOPY", p.Sql, StringComparison.Ordinal));
            Assert.Matches($@"child {Database}\.{f.Big}: about 1[0-9]{{2}},[0-9]{{3}} rows, [0-9.]+ MiB; ALGORITHM=NOCOPY with foreign_key_checks=0: metadata only, no rebuild", repoint[0].Lock);
            Assert.Contains(result.Plan, p => p.Sql.StartsWith("LOCK TABLES", StringComparison.Ordinal) && p.Sql.Contains($"{T(f.Small)} WRITE", StringComparison.Ordinal));
            Assert.Contains(result.Plan, p => p.Sql.Contains($"ADD CONSTRAINT {Q("_" + f.Parent + "_g_fk")}", StringComparison.Ordinal));
            Assert.Equal(before, await ConstraintsAsync(f));
        }
        finally
        {
            await DropAllAsync(f);
        }
    }

    [Theory]
    [InlineData("noflag", "ADD COLUMN note INT", false, "--repoint-foreign-keys")]
    [InlineData("typeref", "MODIFY id BIGINT NOT NULL AUTO_INCREMENT", true, "both sides of a key must stay alike")]
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

    [Fact]
    public async Task A_referenced_column_the_alter_drops_is_refused()
    {
        var f = await CreateSmallAsync("fkcol");
        try
        {
            await ExecAsync($"ALTER TABLE {T(f.Parent)} ADD COLUMN code INT NULL, ADD UNIQUE KEY code (code)");
            await ExecAsync($"ALTER TABLE {T(f.Small)} ADD COLUMN code INT NULL, ADD CONSTRAINT {Q(f.Small + "_code")} FOREIGN KEY (code) REFERENCES {T(f.Parent)} (code)");
            var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(f.Parent, "DROP COLUMN code") with { RepointForeignKeys = true }, CaptureMode.Binlog);
            Assert.Equal(ExitCodes.ForeignKeys, result.ExitCode);
            Assert.Contains("drops a column that foreign key", result.Message, StringComparison.Ordinal);
        }
        finally
        {
            await DropAllAsync(f);
        }
    }

    /// <summary>
    /// The cut-over fails (or is cancelled) after the children were moved to the shadow and before the go
    /// token: the keys go back under the lock. "once": the next attempt swaps; "always" and "cancel": the
    /// run ends with the children's keys as they were and nothing of the run left.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Binlog, "once", ExitCodes.Success)]
    [InlineData(CaptureMode.Trigger, "once", ExitCodes.Success)]
    [InlineData(CaptureMode.Trigger, "always", ExitCodes.CutOverFailed)]
    [InlineData(CaptureMode.Binlog, "cancel", ExitCodes.Cancelled)]
    public async Task A_failed_attempt_moves_the_children_back(CaptureMode capture, string failure, int expected)
    {
        var f = await CreateSmallAsync("fkf" + failure[0]);
        try
        {
            var before = await ConstraintsAsync(f);
            var seenOnShadow = new List<string>();
            using var cancel = new CancellationTokenSource();
            var attempts = 0;
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note INT") with { RepointForeignKeys = true, CutOverAttempts = 3 };
            await using var backend = new MySqlAlterBackend(Settings(), options, capture, NullLogger.Instance)
            {
                BeforeGoTokenForTests = async _ =>
                {
                    // InnoDB's own dictionary: information_schema.REFERENTIAL_CONSTRAINTS would wait on the locked tables.
                    seenOnShadow.Add(await ScalarAsync($"SELECT SUBSTRING_INDEX(REF_NAME, '/', -1) FROM information_schema.INNODB_SYS_FOREIGN WHERE ID = {Lit(Database + "/" + f.Small + "_p")}") ?? "-");
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
            var missing = await Assert.ThrowsAsync<MySqlServerException>(() => ExecAsync($"INSERT INTO {T(f.Small)} VALUES (99, -5)"));
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
