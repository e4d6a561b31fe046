using System.Text.Json;
using Xunit.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Sql;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Protocol;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>
/// An account that logs in with MariaDB's ed25519 plugin (auth_ed25519, installed by scripts/servers) and
/// holds only what a binlog run needs. Every connection a run opens as that account (MySqlConnector's SQL
/// sessions and our replication connection) must answer the server's nonce with a signature its stored
/// public key verifies; a wrong password is one sentence and exit code 3.
/// </summary>
[Collection("mysql")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MyEd25519Tests
{
    /// <summary>Not ASCII on purpose: the server hashes the password's UTF-8 bytes, and so must we.</summary>
    private const string Password = "ed25519-only-for-tests ✓ pässword";

    private readonly ITestOutputHelper _output;

    public MyEd25519Tests(ITestOutputHelper output) => _output = output;

    [Fact]
    public async Task Session_on_mysqlconnector_logs_in_as_the_ed25519_account()
    {
        await WithEd25519AccountAsync(async user =>
        {
            await using var session = await MySqlSession.OpenAsync(Settings(user, Password), new SqlTranscript(), CancellationToken.None);
            Assert.StartsWith(user + "@", await session.ScalarStringAsync("SELECT CURRENT_USER()", CancellationToken.None), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Replication_connection_logs_in_as_the_ed25519_account()
    {
        await WithEd25519AccountAsync(async user =>
        {
            await using var replication = await MySqlClientConnection.OpenAsync(Settings(user, Password) with { SslMode = MySqlSslMode.Disabled });
            Assert.StartsWith(user + "@", await replication.ScalarStringAsync("SELECT CURRENT_USER()"), StringComparison.Ordinal);
            Assert.Equal("CRC32", await replication.ScalarStringAsync("SELECT @@global.binlog_checksum"));
        });
    }

    [Fact]
    public async Task Alter_execute_binlog_as_the_ed25519_account_under_writers_matches_the_control()
    {
        var name = UniqueName("ed");
        var layout = new MyTableLayout(name);
        await WithEd25519AccountAsync(async user =>
        {
            try
            {
                await layout.CreateAsync(20_000);
                await using var load = new MyWriterLoad(layout, writers: 4);
                await load.StartAsync(20_000);
                await load.WaitForOperationsAsync(50, TimeSpan.FromSeconds(20));

                var run = await CliFailure.RunAsync(Password, "MYSQL_PWD", "alter", "--dsn", DsnFor(user), "--table", name,
                    "--alter", "ADD COLUMN note VARCHAR(10) NULL", "--execute", "--capture", "binlog",
                    "--max-rows-per-second", "10000", "--chunk-size", "500", "--output", "json", "--journal", "none");
                var atSwap = load.Operations;
                await load.WaitForOperationsAsync(atSwap + 100, TimeSpan.FromSeconds(30));
                await load.StopAsync();

                var all = run.Stdout + run.Stderr;
                _output.WriteLine(all);
                Assert.True(run.ExitCode == ExitCodes.Success, $"exit {run.ExitCode}\n{all}");
                Assert.True(load.Errors == 0, "writer errors: " + string.Join(" | ", load.ErrorMessages));
                Assert.DoesNotContain(Password, all, StringComparison.Ordinal);
                var result = JsonDocument.Parse(run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last()).RootElement;
                Assert.Contains("\"capture\":\"", run.Stdout, StringComparison.Ordinal); // status lines name the binlog position only when the stream runs
                Assert.True(result.GetProperty("changes_applied").GetInt64() > 0, "the binlog stream applied no change: the writers did not overlap the copy\n" + all);

                var control = await ScalarAsync(MyTableLayout.ChecksumSql(layout.Control));
                var table = await ScalarAsync(MyTableLayout.ChecksumSql(layout.Table));
                Assert.True(control == table, $"checksums differ: {control} vs {table}\n{await layout.DiffAsync()}");
                Assert.Equal("1", await ScalarAsync($"SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 'note'"));
            }
            finally
            {
                await DropAsync(name);
            }
        });
    }

    [Fact]
    public async Task Alter_as_the_ed25519_account_with_a_wrong_password_exits_3_in_one_sentence_and_changes_nothing()
    {
        var name = UniqueName("edpw");
        await WithEd25519AccountAsync(async user =>
        {
            try
            {
                await ExecAsync($"CREATE TABLE {Q(name)} (id INT PRIMARY KEY, v INT)");
                var before = await SnapshotAsync(name);
                const string wrong = "ed25519-not-the-password";

                var run = await CliFailure.RunAsync(wrong, "MYSQL_PWD", "alter", "--dsn", DsnFor(user), "--table", name,
                    "--alter", "ADD COLUMN note VARCHAR(10)", "--execute", "--capture", "binlog", "--journal", "none");

                CliFailure.AssertShort(run, ExitCodes.ConnectionFailed, $"Access denied for user '{user}'");
                Assert.DoesNotContain(wrong, run.Stdout + run.Stderr, StringComparison.Ordinal);
                Assert.DoesNotContain(Password, run.Stdout + run.Stderr, StringComparison.Ordinal);
                Assert.Equal(before, await SnapshotAsync(name));
            }
            finally
            {
                await DropAsync(name);
            }
        });
    }

    private static string DsnFor(string user) =>
        $"mysql://{user}@{TestServers.Get("SHADOWCOPY_MY_HOST")}:{TestServers.Get("SHADOWCOPY_MY_PORT")}/{Database}";

    /// <summary>
    /// Creates an ed25519 account with the grants a binlog run needs (the table's database, and the two
    /// replication privileges), checks the server really stored it under ed25519, runs <paramref name="test"/>, drops it.
    /// </summary>
    private static async Task WithEd25519AccountAsync(Func<string, Task> test)
    {
        var user = "sced_" + Guid.NewGuid().ToString("N")[..8];
        string[] hosts = ["'%'", "'localhost'"];
        try
        {
            foreach (var host in hosts)
            {
                await ExecAsync($"CREATE USER {Lit(user)}@{host} IDENTIFIED VIA ed25519 USING PASSWORD({Lit(Password)})");
                await ExecAsync($"GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, TRIGGER, LOCK TABLES, CREATE TEMPORARY TABLES ON {Q(Database)}.* TO {Lit(user)}@{host}");
                await ExecAsync($"GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO {Lit(user)}@{host}");
            }

            Assert.Equal("ed25519", await ScalarAsync($"SELECT GROUP_CONCAT(DISTINCT JSON_VALUE(Priv, '$.plugin')) FROM mysql.global_priv WHERE User = {Lit(user)}"));
            await test(user);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await ExecAsync($"DROP USER IF EXISTS {Lit(user)}@{host}");
            }
        }
    }
}
