using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Protocol;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// Foreign keys across the swap (ADR 0026): the table's own keys (to another table and to itself) keep
/// their names on the new table; with --repoint-foreign-keys two children's keys (one of 150,000 rows) are
/// re-pointed at the swap while writers insert, update and delete parents and children throughout, in
/// transactions that touch a child and then the table (the pattern that deadlocked the RENAME before the
/// holders). Without the flag children are refused.
/// </summary>
[Collection("mysql")]
public sealed class MyForeignKeyTests
{
    private const int Parents = 3000;
    private const int BigChildRows = 150_000;

    private static string T(string name) => $"{Q(Database)}.{Q(name)}";

    private sealed record Fixture(string Parent, string Group, string Control, string Small, string Big)
    {
        public string SmallControl => Small + "ctl";

        public IEnumerable<string> Tables => [Small, Big, SmallControl, Parent, Control, Group, "_" + Parent + "_old"];
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
        await ExecAsync($"CREATE TABLE {T(f.SmallControl)} (id INT NOT NULL PRIMARY KEY, pid INT NOT NULL, KEY (pid)) ENGINE=InnoDB");
        await ExecAsync($"INSERT INTO {T(f.SmallControl)} SELECT * FROM {T(f.Small)}");
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

    private sealed record Written(long Operations, List<string> Errors, long Restricted);

    /// <summary>
    /// Parents (with their control row, same transaction) and, with <paramref name="children"/>, children of
    /// fresh parents until stopped. A fresh parent goes again either in one transaction that first deletes
    /// its small child's rows and then the parent (the big child's rows go by cascade), or alone, which the
    /// small child's key must refuse (1451, counted).
    /// </summary>
    private static async Task<Written> WriteAsync(Fixture f, bool children, CancellationToken stop)
    {
        var errors = new List<string>();
        long operations = 0;
        long restricted = 0;
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
                var id = await LastIdAsync(connection);
                await connection.ExecuteAsync($"INSERT INTO {T(f.Control)} VALUES ({id}, {gid}, {up}, 0)");
                var touched = 1 + random.Next(Parents);
                await connection.ExecuteAsync($"UPDATE {T(f.Parent)} SET v = v + 1 WHERE id = {touched}");
                await connection.ExecuteAsync($"UPDATE {T(f.Control)} SET v = v + 1 WHERE id = {touched}");
                await connection.ExecuteAsync("COMMIT");
                fresh.Add(id);
                if (children)
                {
                    // A child of the parent just created, and of one created a while ago (after the swap too).
                    await connection.ExecuteAsync("START TRANSACTION");
                    await connection.ExecuteAsync($"INSERT INTO {T(f.Small)} (pid) VALUES ({id})");
                    await connection.ExecuteAsync($"INSERT INTO {T(f.SmallControl)} VALUES ({await LastIdAsync(connection)}, {id})");
                    await connection.ExecuteAsync($"INSERT INTO {T(f.Big)} (pid) VALUES ({fresh[random.Next(fresh.Count)]})");
                    await connection.ExecuteAsync("COMMIT");
                }

                if (fresh.Count > 20 && random.Next(4) == 0)
                {
                    var victim = fresh[0];
                    if (children && random.Next(3) == 0)
                    {
                        // The small child still references it: its key (RESTRICT) must refuse, whichever table it points at.
                        try
                        {
                            await connection.ExecuteAsync($"DELETE FROM {T(f.Parent)} WHERE id = {victim}");
                            errors.Add($"parent {victim} was deleted while a child row referenced it");
                        }
                        catch (MySqlServerException refused) when (refused.ErrorCode == 1451)
                        {
                            restricted++;
                        }
                    }
                    else
                    {
                        fresh.RemoveAt(0);
                        await connection.ExecuteAsync("START TRANSACTION");
                        if (children)
                        {
                            // A child first, then the table: the transaction shape that used to deadlock the RENAME.
                            await connection.ExecuteAsync($"DELETE FROM {T(f.Small)} WHERE pid = {victim}");
                            await connection.ExecuteAsync($"DELETE FROM {T(f.SmallControl)} WHERE pid = {victim}");
                        }

                        await connection.ExecuteAsync($"DELETE FROM {T(f.Parent)} WHERE id = {victim}");
                        await connection.ExecuteAsync($"DELETE FROM {T(f.Control)} WHERE id = {victim}");
                        await connection.ExecuteAsync("COMMIT");
                    }
                }

                operations++;
            }
            catch (MySqlServerException error)
            {
                errors.Add("writer: " + error.Message + " @" + DateTime.UtcNow.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture));
                await connection.ExecuteAsync("ROLLBACK");
            }

            await Task.Delay(2, CancellationToken.None);
        }

        return new Written(operations, errors, restricted);
    }

    /// <summary>Children only: rows of the small child for old parents come and go (mirrored), big child rows are added.</summary>
    private static async Task<Written> WriteChildrenAsync(Fixture f, CancellationToken stop)
    {
        var errors = new List<string>();
        long operations = 0;
        await using var connection = await OpenAsync();
        var random = new Random(11);
        var mine = new Queue<long>();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await connection.ExecuteAsync("START TRANSACTION");
                var pid = 1 + random.Next(Parents);
                await connection.ExecuteAsync($"INSERT INTO {T(f.Small)} (pid) VALUES ({pid})");
                var id = await LastIdAsync(connection);
                await connection.ExecuteAsync($"INSERT INTO {T(f.SmallControl)} VALUES ({id}, {pid})");
                if (mine.Count > 10)
                {
                    var gone = mine.Dequeue();
                    await connection.ExecuteAsync($"DELETE FROM {T(f.Small)} WHERE id = {gone}");
                    await connection.ExecuteAsync($"DELETE FROM {T(f.SmallControl)} WHERE id = {gone}");
                }

                await connection.ExecuteAsync($"INSERT INTO {T(f.Big)} (pid) VALUES ({1 + random.Next(Parents)})");
                await connection.ExecuteAsync("COMMIT");
                mine.Enqueue(id);
                operations++;
            }
            catch (MySqlServerException error)
            {
                errors.Add("children writer: " + error.Message + " @" + DateTime.UtcNow.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture));
                await connection.ExecuteAsync("ROLLBACK");
            }

            await Task.Delay(2, CancellationToken.None);
        }

        return new Written(operations, errors, 0);
    }

    private static async Task<long> LastIdAsync(MyConnection connection) =>
        long.Parse((await connection.QueryAsync("SELECT LAST_INSERT_ID()")).Rows[0].GetString(0), System.Globalization.CultureInfo.InvariantCulture);

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
            var writer = Task.Run(() => WriteAsync(f, children: false, stop.Token));
            await Task.Delay(300);
            // --repoint-foreign-keys with no children to move is not refused.
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note VARCHAR(20) NULL, MODIFY v BIGINT NOT NULL") with { RepointForeignKeys = true, MaxRowsPerSecond = 4000 };
            var result = await MyAlterHarness.RunAsync(options, capture);
            await Task.Delay(500);
            await stop.CancelAsync();
            var (operations, errors, _) = await writer;
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
    /// Children (one of 150,000 rows) follow the new table under their names with --repoint-foreign-keys,
    /// while one writer inserts and deletes parents and children (deleting a child's rows and then its parent
    /// in one transaction, and trying to delete a parent the small child still references) and another
    /// writes only the children. Every write is mirrored into control tables in the same transaction.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task Children_follow_the_new_table_under_writers(CaptureMode capture)
    {
        var f = await CreateAsync("fkc" + (capture == CaptureMode.Binlog ? "b" : "t"));
        try
        {
            using var stop = new CancellationTokenSource();
            var writer = Task.Run(() => WriteAsync(f, children: true, stop.Token));
            var childWriter = Task.Run(() => WriteChildrenAsync(f, stop.Token));
            await Task.Delay(300);
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note VARCHAR(20) NULL, MODIFY v BIGINT NOT NULL") with { RepointForeignKeys = true, MaxRowsPerSecond = 4000 };
            var result = await MyAlterHarness.RunAsync(options, capture);
            await Task.Delay(500);
            await stop.CancelAsync();
            var written = await writer;
            var childWritten = await childWriter;
            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.True(written.Operations > 20 && childWritten.Operations > 20, $"only {written.Operations}/{childWritten.Operations} write rounds");
            Assert.True(written.Errors.Count + childWritten.Errors.Count == 0, string.Join("\n", written.Errors.Concat(childWritten.Errors).Take(5)));
            Assert.True(written.Restricted > 0, "no refused parent delete was tried");

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
                await ScalarAsync($"SELECT GROUP_CONCAT(DISTINCT CONCAT(REFERENCED_TABLE_NAME, '.', REFERENCED_COLUMN_NAME)) FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME IN ({Lit(f.Small)}, {Lit(f.Big)}) AND REFERENCED_TABLE_NAME IS NOT NULL"));

            // The data: the new table and the small child equal their control tables; no child row lacks its parent.
            Assert.Equal(await ChecksumAsync(f.Control), await ChecksumAsync(f.Parent));
            Assert.Equal(
                await ScalarAsync($"SELECT CONCAT(COUNT(*), '/', COALESCE(SUM(CRC32(CONCAT_WS('|', id, pid))), 0)) FROM {T(f.SmallControl)}"),
                await ScalarAsync($"SELECT CONCAT(COUNT(*), '/', COALESCE(SUM(CRC32(CONCAT_WS('|', id, pid))), 0)) FROM {T(f.Small)}"));
            await AssertNoOrphansAsync(f);

            // The keys are enforced against the new table: a missing parent, a referenced parent, a cascade.
            var missing = await Assert.ThrowsAsync<MySqlServerException>(() => ExecAsync($"INSERT INTO {T(f.Small)} (pid) VALUES (-5)"));
            Assert.Equal(1452, missing.ErrorCode);
            var referenced = await Assert.ThrowsAsync<MySqlServerException>(() => ExecAsync($"DELETE FROM {T(f.Parent)} WHERE id = (SELECT MIN(pid) FROM {T(f.Small)})"));
            Assert.Equal(1451, referenced.ErrorCode);
            await ExecAsync($"INSERT INTO {T(f.Parent)} (id, v) VALUES (-7, 0)");
            await ExecAsync($"INSERT INTO {T(f.Big)} (pid) VALUES (-7)");
            await ExecAsync($"DELETE FROM {T(f.Parent)} WHERE id = -7");
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM {T(f.Big)} WHERE pid = -7"));

            // Nothing left behind: no temporary key names, no key on the old table, no helper table but _old.
            await AssertNothingLeftAsync(f);
        }
        finally
        {
            await DropAllAsync(f);
        }
    }

    /// <summary>No row of either child names a parent the table lacks.</summary>
    private static async Task AssertNoOrphansAsync(Fixture f)
    {
        foreach (var child in new[] { f.Small, f.Big })
        {
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM {T(child)} c LEFT JOIN {T(f.Parent)} p ON p.id = c.pid WHERE c.pid IS NOT NULL AND p.id IS NULL"));
        }
    }

    private static async Task AssertNothingLeftAsync(Fixture f, bool swapped = true)
    {
        Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = {Lit(Database)} AND CONSTRAINT_NAME LIKE {Lit("%\\_fk")}"));
        Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = {Lit(Database)} AND (TABLE_NAME LIKE {Lit("\\_" + f.Parent + "\\_%")} OR REFERENCED_TABLE_NAME LIKE {Lit("\\_" + f.Parent + "\\_%")})"));
        Assert.Equal(
            swapped ? "_" + f.Parent + "_old" : string.Empty,
            await ScalarAsync($"SELECT COALESCE(GROUP_CONCAT(TABLE_NAME), '') FROM information_schema.TABLES WHERE TABLE_SCHEMA = {Lit(Database)} AND (TABLE_NAME LIKE {Lit("\\_" + f.Parent + "\\_%")} OR TABLE_NAME LIKE {Lit(f.Parent + "~%")})"));
    }

    /// <summary>Without --repoint-foreign-keys (and without --allow-foreign-keys) children are refused and nothing changes.</summary>
    [Theory]
    [InlineData(CaptureMode.Binlog, true)]
    [InlineData(CaptureMode.Trigger, true)]
    [InlineData(CaptureMode.Binlog, false)]
    public async Task Children_are_refused_without_repoint_and_nothing_changes(CaptureMode capture, bool execute)
    {
        var f = await CreateAsync("fkr" + (capture == CaptureMode.Binlog ? "b" : "t") + (execute ? "x" : "d"));
        try
        {
            var before = await ConstraintsAsync(f);
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note INT") with { Execute = execute };
            var result = await MyAlterHarness.RunAsync(options, capture);
            Assert.True(result.ExitCode == ExitCodes.ForeignKeys, $"exit {result.ExitCode}: {result.Message}");
            Assert.Equal("refused", result.Outcome);
            Assert.StartsWith($"Foreign keys reference {Database}.{f.Parent}", result.Message, StringComparison.Ordinal);
            Assert.Contains("Pass --repoint-foreign-keys", result.Message, StringComparison.Ordinal);
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
    public async Task Dry_run_lists_each_child_with_its_size_and_algorithm()
    {
        var f = await CreateAsync("fkdc");
        try
        {
            var before = await ConstraintsAsync(f);
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note INT") with { RepointForeignKeys = true, Execute = false };
            var result = await MyAlterHarness.RunAsync(options, CaptureMode.Binlog);
            Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
            var repoint = result.Plan.Where(p => p.Sql.StartsWith($"ALTER TABLE {T(f.Big)}", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, repoint.Count);
            Assert.All(repoint, p => Assert.Contains("ALGORITHM=NOCOPY", p.Sql, StringComparison.Ordinal));
            Assert.Matches($@"child {Database}\.{f.Big}: about 1[0-9]{{2}},[0-9]{{3}} rows, [0-9.]+ MiB; ALGORITHM=NOCOPY with foreign_key_checks=0: metadata only, no rebuild", repoint[0].Lock);
            Assert.Contains(result.Plan, p => p.Sql.StartsWith("LOCK TABLES", StringComparison.Ordinal) && p.Sql.Contains($"{T(f.Small)} WRITE", StringComparison.Ordinal) && p.Sql.Contains($"{T(f.Parent)} WRITE", StringComparison.Ordinal));
            Assert.Contains(result.Plan, p => p.Sql == $"LOCK TABLES {T(f.Big)} WRITE");
            Assert.Contains(result.Plan, p => p.Sql == $"LOCK TABLES {T(f.Small)} WRITE");
            Assert.Contains(result.Plan, p => p.Sql == $"LOCK TABLES {T(f.Parent)} READ");
            Assert.Contains(result.Plan, p => p.Sql.Contains($"ADD CONSTRAINT {Q("_" + f.Parent + "_g_fk")}", StringComparison.Ordinal));
            Assert.Equal(before, await ConstraintsAsync(f));
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
    [InlineData("noflag", "ADD COLUMN note INT", false, "Pass --repoint-foreign-keys to move them")]
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

    /// <summary>
    /// The RENAME fails after the go token existed (killed before A's UNLOCK), with both writers running:
    /// the holders get the table and the children before any writer, the children's keys go back under
    /// them, and no child row ever lacks its parent. "once": the next attempt swaps; "always": the run ends
    /// with every key as it was and nothing of the run left.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Binlog, "once", ExitCodes.Success)]
    [InlineData(CaptureMode.Trigger, "always", ExitCodes.CutOverFailed)]
    public async Task A_rename_failing_after_the_go_token_moves_the_children_back_under_the_holders(CaptureMode capture, string failure, int expected)
    {
        var f = await CreateAsync("fkg" + failure[0]);
        try
        {
            var before = await ConstraintsAsync(f);
            using var stop = new CancellationTokenSource();
            var writer = Task.Run(() => WriteAsync(f, children: true, stop.Token));
            var childWriter = Task.Run(() => WriteChildrenAsync(f, stop.Token));
            await Task.Delay(300);
            var attempts = 0;
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note INT") with { RepointForeignKeys = true, CutOverAttempts = 2, MaxRowsPerSecond = 4000 };
            await using var backend = new MySqlAlterBackend(Settings(), options, capture, NullLogger.Instance)
            {
                AfterGoTokenForTests = async renamer =>
                {
                    if (++attempts == 1 || failure == "always")
                    {
                        await ExecAsync($"KILL QUERY {renamer}");
                    }
                },
            };
            var result = await new AlterRunner(backend, options, NullStatusSink.Instance, NullLogger.Instance).RunAsync(CancellationToken.None);
            await Task.Delay(300);
            await stop.CancelAsync();
            var written = await writer;
            var childWritten = await childWriter;
            Assert.True(result.ExitCode == expected, $"exit {result.ExitCode}: {result.Message}");
            Assert.True(attempts >= 1, "the hook never ran");
            Assert.True(written.Errors.Count + childWritten.Errors.Count == 0, string.Join("\n", written.Errors.Concat(childWritten.Errors).Take(5)));
            Assert.Equal(before, await ConstraintsAsync(f));
            Assert.Equal(await ChecksumAsync(f.Control), await ChecksumAsync(f.Parent));
            await AssertNoOrphansAsync(f);

            Assert.Equal(failure == "once" ? "note" : null, await ScalarAsync($"SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(f.Parent)} AND COLUMN_NAME = 'note'"));
            await AssertNothingLeftAsync(f, swapped: failure == "once");
        }
        finally
        {
            await DropAllAsync(f);
        }
    }

    /// <summary>
    /// The race that deferred children (ADR 0026), made certain: while A holds the lock and B's RENAME is
    /// queued, an application transaction deletes a child's rows (waiting on the child) and then, right after
    /// the UNLOCK, their parent (waiting on t behind the RENAME). Without the holders the RENAME waits for that
    /// transaction's InnoDB lock on the child and fails after the go token; with them the child goes to its
    /// holder first, the RENAME finishes, and the transaction then commits against the new table.
    /// </summary>
    [Theory]
    [InlineData(CaptureMode.Binlog)]
    [InlineData(CaptureMode.Trigger)]
    public async Task A_transaction_on_a_child_then_the_table_at_the_unlock_does_not_stop_the_swap(CaptureMode capture)
    {
        var f = await CreateAsync("fkw" + (capture == CaptureMode.Binlog ? "b" : "t"));
        try
        {
            await ExecAsync($"INSERT INTO {T(f.Small)} (pid) VALUES ({Parents})");
            Task<string?>? application = null;
            var options = MyAlterHarness.Options(f.Parent, "ADD COLUMN note INT") with { RepointForeignKeys = true, CutOverAttempts = 1 };
            await using var backend = new MySqlAlterBackend(Settings(), options, capture, NullLogger.Instance)
            {
                BeforeGoTokenForTests = async _ =>
                {
                    var started = new TaskCompletionSource<ulong>();
                    application = Task.Run(async () =>
                    {
                        await using var connection = await OpenAsync();
                        try
                        {
                            started.SetResult(ulong.Parse((await connection.QueryAsync("SELECT CONNECTION_ID()")).Rows[0].GetString(0), System.Globalization.CultureInfo.InvariantCulture));
                            await connection.ExecuteAsync("START TRANSACTION");
                            await connection.ExecuteAsync($"DELETE FROM {T(f.Small)} WHERE pid = {Parents}");
                            await connection.ExecuteAsync($"DELETE FROM {T(f.Parent)} WHERE id = {Parents}");
                            await connection.ExecuteAsync($"DELETE FROM {T(f.Control)} WHERE id = {Parents}");
                            await connection.ExecuteAsync("COMMIT");
                            return null;
                        }
                        catch (MySqlServerException error)
                        {
                            return error.Message;
                        }
                    });
                    var id = await started.Task;
                    // Its DELETE on the child waits behind A before the token is created.
                    for (var i = 0; i < 400 && !((await ScalarAsync($"SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = {id}")) ?? string.Empty).Contains("metadata lock", StringComparison.Ordinal); i++)
                    {
                        await Task.Delay(5);
                    }
                },
            };
            var result = await new AlterRunner(backend, options, NullStatusSink.Instance, NullLogger.Instance).RunAsync(CancellationToken.None);
            Assert.True(result.ExitCode == ExitCodes.Success, $"exit {result.ExitCode}: {result.Message}");
            Assert.NotNull(application);
            Assert.Null(await application);
            Assert.Equal(await ChecksumAsync(f.Control), await ChecksumAsync(f.Parent));
            Assert.Equal("0", await ScalarAsync($"SELECT COUNT(*) FROM {T(f.Big)} WHERE pid = {Parents}"));
            await AssertNoOrphansAsync(f);

            await AssertNothingLeftAsync(f);
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
