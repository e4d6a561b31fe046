using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Preflight;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>Every refusal is raised before anything changes: the tables, their data and the trigger list are as before.</summary>
[Collection("mysql")]
public sealed class MyPreflightRefusalTests
{
    private static string T(string name) => $"{Q(Database)}.{Q(name)}";

    [Theory]
    [InlineData("nokey", "CREATE TABLE {t} (a INT, b INT) ; INSERT INTO {t} VALUES (1, 1), (1, 1)", "ADD COLUMN c INT", RefusalReason.NoUsableKey)]
    [InlineData("nullkey", "CREATE TABLE {t} (a INT NULL, UNIQUE KEY (a)) ; INSERT INTO {t} VALUES (1), (NULL)", "ADD COLUMN c INT", RefusalReason.NoUsableKey)]
    [InlineData("dupes", "CREATE TABLE {t} (id INT PRIMARY KEY, e VARCHAR(10)) ; INSERT INTO {t} VALUES (1, 'x'), (2, 'x'), (3, NULL), (4, NULL)", "ADD UNIQUE KEY uq (e)", RefusalReason.AlterRejected)]
    [InlineData("narrow", "CREATE TABLE {t} (id INT PRIMARY KEY, e VARCHAR(20)) ; INSERT INTO {t} VALUES (1, 'short'), (2, 'much too long')", "MODIFY e VARCHAR(5)", RefusalReason.AlterRejected)]
    [InlineData("narrowint", "CREATE TABLE {t} (id INT PRIMARY KEY, n INT) ; INSERT INTO {t} VALUES (1, 1), (2, 300)", "MODIFY n TINYINT", RefusalReason.AlterRejected)]
    [InlineData("notnull", "CREATE TABLE {t} (id INT PRIMARY KEY, e VARCHAR(20)) ; INSERT INTO {t} VALUES (1, 'a'), (2, NULL)", "MODIFY e VARCHAR(20) NOT NULL", RefusalReason.AlterRejected)]
    [InlineData("charset", "CREATE TABLE {t} (id INT PRIMARY KEY, e VARCHAR(20) CHARACTER SET utf8mb4) ; INSERT INTO {t} VALUES (1, 'café'), (2, 'emoji 😀')", "MODIFY e VARCHAR(20) CHARACTER SET latin1", RefusalReason.AlterRejected)]
    [InlineData("enumre", "CREATE TABLE {t} (id INT PRIMARY KEY, s ENUM('a','b')) ; INSERT INTO {t} VALUES (1, 'a'), (2, 'b')", "MODIFY s ENUM('b','a')", RefusalReason.AlterRejected)]
    [InlineData("rename", "CREATE TABLE {t} (id INT PRIMARY KEY) ; INSERT INTO {t} VALUES (1)", "RENAME TO somewhere_else", RefusalReason.AlterRejected)]
    [InlineData("badalter", "CREATE TABLE {t} (id INT PRIMARY KEY) ; INSERT INTO {t} VALUES (1)", "ADD COLUMN x NOSUCHTYPE", RefusalReason.AlterRejected)]
    [InlineData("dropkey", "CREATE TABLE {t} (id INT PRIMARY KEY, n INT) ; INSERT INTO {t} VALUES (1, 1)", "DROP PRIMARY KEY", RefusalReason.KeyNotMappable)]
    [InlineData("trig", "CREATE TABLE {t} (id INT PRIMARY KEY, n INT, m INT) ; CREATE TRIGGER {t}_audit BEFORE INSERT ON {t} FOR EACH ROW SET NEW.n = 1", "DROP COLUMN n", RefusalReason.UnsupportedTable)]
    [InlineData("myisam", "CREATE TABLE {t} (id INT PRIMARY KEY) ENGINE=MyISAM ; INSERT INTO {t} VALUES (1)", "ADD COLUMN c INT", RefusalReason.UnsupportedTable)]
    // Issue 16, point 4: partitioned tables, engines other than InnoDB, keys whose order the ALTER changes or that cannot be ordered.
    [InlineData("part", "CREATE TABLE {t} (id INT PRIMARY KEY) PARTITION BY HASH (id) PARTITIONS 2 ; INSERT INTO {t} VALUES (1), (2)", "ADD COLUMN c INT", RefusalReason.PartitionedTable)]
    [InlineData("addpart", "CREATE TABLE {t} (id INT PRIMARY KEY) ; INSERT INTO {t} VALUES (1), (2)", "ADD COLUMN c INT PARTITION BY HASH (id) PARTITIONS 2", RefusalReason.PartitionedTable)]
    [InlineData("toaria", "CREATE TABLE {t} (id INT PRIMARY KEY) ; INSERT INTO {t} VALUES (1)", "ADD COLUMN c INT, ENGINE = Aria", RefusalReason.UnsupportedTable)]
    [InlineData("keycoll", "CREATE TABLE {t} (k VARCHAR(20) COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY) ; INSERT INTO {t} VALUES ('a'), ('B')", "MODIFY k VARCHAR(20) COLLATE utf8mb4_bin NOT NULL", RefusalReason.KeyNotMappable)]
    [InlineData("keyconv", "CREATE TABLE {t} (k VARCHAR(20) CHARACTER SET latin1 NOT NULL PRIMARY KEY) ; INSERT INTO {t} VALUES ('a'), ('B')", "CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", RefusalReason.KeyNotMappable)]
    [InlineData("keytype", "CREATE TABLE {t} (k VARCHAR(20) NOT NULL PRIMARY KEY) ; INSERT INTO {t} VALUES ('1'), ('10'), ('9')", "MODIFY k INT NOT NULL", RefusalReason.KeyNotMappable)]
    [InlineData("keyenum", "CREATE TABLE {t} (e ENUM('b','a') NOT NULL PRIMARY KEY) ; INSERT INTO {t} VALUES ('a'), ('b')", "MODIFY e ENUM('b','a','c') NOT NULL", RefusalReason.KeyNotMappable)]
    [InlineData("setkey", "CREATE TABLE {t} (s SET('a','b') NOT NULL PRIMARY KEY) ; INSERT INTO {t} VALUES ('a'), ('a,b')", "ADD COLUMN c INT", RefusalReason.NoUsableKey)]
    [InlineData("prefixpk", "CREATE TABLE {t} (name VARCHAR(100) NOT NULL, PRIMARY KEY (name(10))) ; INSERT INTO {t} VALUES ('a')", "ADD COLUMN c INT", RefusalReason.NoUsableKey)]
    public async Task Preflight_refuses_and_leaves_the_server_unchanged(string prefix, string setup, string alter, RefusalReason expected)
    {
        foreach (var capture in new[] { CaptureMode.Binlog, CaptureMode.Trigger })
        {
            var name = UniqueName(prefix);
            try
            {
                foreach (var statement in setup.Replace("{t}", T(name), StringComparison.Ordinal).Split(" ; "))
                {
                    await ExecAsync(statement.Replace($"{T(name)}_audit", Q(name + "_audit"), StringComparison.Ordinal));
                }

                await AssertRefusedAsync(name, MyAlterHarness.Options(name, alter), capture, expected);
            }
            finally
            {
                await DropAsync(name);
            }
        }
    }

    [Fact]
    public async Task Preflight_referenced_table_is_refused_unless_repointed_or_allowed_and_a_child_runs()
    {
        var parent = UniqueName("fkp");
        var child = parent + "_c";
        try
        {
            await ExecAsync($"CREATE TABLE {T(parent)} (id INT PRIMARY KEY)");
            await ExecAsync($"CREATE TABLE {T(child)} (id INT PRIMARY KEY, p INT, CONSTRAINT {Q(child + "_fk1")} FOREIGN KEY (p) REFERENCES {T(parent)} (id))");
            await ExecAsync($"INSERT INTO {T(parent)} VALUES (1)");
            await ExecAsync($"INSERT INTO {T(child)} VALUES (1, 1)");
            await AssertRefusedAsync(parent, MyAlterHarness.Options(parent, "ADD COLUMN c INT"), CaptureMode.Binlog, RefusalReason.ForeignKeys);

            // The child's own key is carried under its name (ADR 0026): no flag needed.
            var child1 = await MyAlterHarness.RunAsync(MyAlterHarness.Options(child, "ADD COLUMN c INT"), CaptureMode.Trigger);
            Assert.True(child1.ExitCode == ExitCodes.Success, child1.Message);
            Assert.Equal(parent, await ScalarAsync($"SELECT REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(child)} AND CONSTRAINT_NAME = {Lit(child + "_fk1")}"));
            await ExecAsync($"DROP TABLE IF EXISTS {T("_" + child + "_old")}");

            // Allowed explicitly without re-pointing: the run goes ahead and says what it leaves behind.
            var allowed = await MyAlterHarness.RunAsync(MyAlterHarness.Options(parent, "ADD COLUMN c INT") with { AllowForeignKeys = true }, CaptureMode.Binlog);
            Assert.True(allowed.ExitCode == ExitCodes.Success, allowed.Message);
            Assert.Contains(allowed.Warnings, w => w.Contains("is not re-pointed", StringComparison.Ordinal));
        }
        finally
        {
            await ExecAsync($"DROP TABLE IF EXISTS {T(child)}");
            await ExecAsync($"DROP TABLE IF EXISTS {T("_" + parent + "_old")}");
            await DropAsync(parent);
        }
    }

    [Fact]
    public async Task Preflight_table_names_differing_only_by_case_are_refused()
    {
        var name = UniqueName("cased");
        var upper = name.ToUpperInvariant();
        try
        {
            await ExecAsync($"CREATE TABLE {T(name)} (id INT PRIMARY KEY)");
            await ExecAsync($"CREATE TABLE {T(upper)} (id INT PRIMARY KEY)");
            await AssertRefusedAsync(name, MyAlterHarness.Options(name, "ADD COLUMN c INT"), CaptureMode.Binlog, RefusalReason.NameConflict);
        }
        finally
        {
            await ExecAsync($"DROP TABLE IF EXISTS {T(upper)}");
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Preflight_missing_table_is_refused() =>
        Assert.Equal(ExitCodes.TableMissing, (await MyAlterHarness.RunAsync(MyAlterHarness.Options(UniqueName("absent"), "ADD COLUMN c INT"), CaptureMode.Binlog)).ExitCode);

    /// <summary>What the binlog probe reports, per case; the server's globals stay untouched (they are shared by every test).</summary>
    private static readonly Dictionary<string, Action> BinlogProbes = new()
    {
        ["statement-format"] = () => MySqlPreflight.CheckBinlogSettings("ON", "STATEMENT", "FULL"),
        ["minimal-image"] = () => MySqlPreflight.CheckBinlogSettings("ON", "ROW", "MINIMAL"),
        ["partial-json"] = () => MySqlPreflight.CheckBinlogFeatures(new Dictionary<string, string> { ["binlog_row_value_options"] = "PARTIAL_JSON" }),
        ["mariadb-compressed"] = () => MySqlPreflight.CheckBinlogFeatures(new Dictionary<string, string> { ["log_bin_compress"] = "ON" }),
        ["gtid-in-transition"] = () => MySqlPreflight.CheckBinlogFeatures(new Dictionary<string, string> { ["gtid_mode"] = "ON_PERMISSIVE" }),
    };

    [Theory]
    [InlineData("statement-format", "binlog_format = 'ROW'")]
    [InlineData("minimal-image", "binlog_row_image = 'FULL'")]
    [InlineData("partial-json", "binlog_row_value_options = ''")]
    [InlineData("mariadb-compressed", "log_bin_compress = OFF")]
    [InlineData("gtid-in-transition", "gtid_mode ON or OFF")]
    public async Task Preflight_binlog_the_stream_cannot_read_is_refused_with_how_to_fix(string probe, string fix)
    {
        var name = UniqueName("binlog");
        try
        {
            await ExecAsync($"CREATE TABLE {T(name)} (id INT PRIMARY KEY)");
            var before = await SnapshotAsync(name);
            var options = MyAlterHarness.Options(name, "ADD COLUMN c INT");
            await using var backend = new MySqlAlterBackend(Settings(), options, CaptureMode.Binlog, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            {
                BinlogCheckOverride = (_, _) => { BinlogProbes[probe](); return Task.CompletedTask; },
            };
            var result = await new AlterRunner(backend, options, NullStatusSink.Instance, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).RunAsync(CancellationToken.None);
            Assert.Equal(ExitCodes.CaptureUnavailable, result.ExitCode);
            Assert.Contains(fix, result.Message, StringComparison.Ordinal);
            Assert.Equal(before, await SnapshotAsync(name));
        }
        finally
        {
            await DropAsync(name);
        }
    }

    [Fact]
    public async Task Preflight_binlog_probe_reads_this_servers_variables_and_accepts_it()
    {
        await using var session = await MySqlSession.OpenAsync(Settings(), new ShadowCopy.Core.Sql.SqlTranscript(), CancellationToken.None);
        await MySqlPreflight.CheckBinlogAsync(session, CancellationToken.None);
    }

    [Fact]
    public async Task Preflight_user_without_replication_grants_is_refused_in_binlog_mode_only()
    {
        var name = UniqueName("grants");
        var user = "scng_" + Guid.NewGuid().ToString("N")[..8];
        const string password = "Pw-for-test-only-1";
        try
        {
            await ExecAsync($"CREATE TABLE {T(name)} (id INT PRIMARY KEY)");
            await ExecAsync($"CREATE USER {Lit(user)}@'%' IDENTIFIED BY {Lit(password)}");
            await ExecAsync($"CREATE USER {Lit(user)}@'localhost' IDENTIFIED BY {Lit(password)}");
            foreach (var host in new[] { "'%'", "'localhost'" })
            {
                await ExecAsync($"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, TRIGGER, LOCK TABLES, CREATE TEMPORARY TABLES ON {Q(Database)}.* TO {Lit(user)}@{host}");
            }

            var before = await SnapshotAsync(name);
            var result = await MyAlterHarness.RunAsync(MyAlterHarness.Options(name, "ADD COLUMN c INT"), CaptureMode.Binlog, user: user, password: password);
            Assert.Equal(ExitCodes.MissingPrivileges, result.ExitCode);
            Assert.Contains("REPLICATION SLAVE", result.Message, StringComparison.Ordinal);
            Assert.Equal(before, await SnapshotAsync(name));
        }
        finally
        {
            await ExecAsync($"DROP USER IF EXISTS {Lit(user)}@'%'");
            await ExecAsync($"DROP USER IF EXISTS {Lit(user)}@'localhost'");
            await DropAsync(name);
        }
    }

    private static async Task AssertRefusedAsync(string name, AlterOptions options, CaptureMode capture, RefusalReason expected)
    {
        var before = await SnapshotAsync(name);
        var result = await MyAlterHarness.RunAsync(options, capture);
        Assert.True(result.ExitCode == expected.ExitCode(), $"{name} ({capture}): expected {expected}, got exit {result.ExitCode}: {result.Message}");
        Assert.Equal("refused", result.Outcome);
        Assert.Equal(before, await SnapshotAsync(name));
    }
}
