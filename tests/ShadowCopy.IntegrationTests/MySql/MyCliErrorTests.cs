using System.Text.Json;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using static ShadowCopy.IntegrationTests.MySql.MyServer;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>Failures as a person meets them with the real executable: one sentence, the result, the exit code (issue 13).</summary>
[Collection("mysql")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class MyCliErrorTests
{
    private static string Host => TestServers.Get("SHADOWCOPY_MY_HOST");

    private static string Port => TestServers.Get("SHADOWCOPY_MY_PORT");

    private static string User => TestServers.Get("SHADOWCOPY_MY_USER");

    private static string Password => TestServers.Get("SHADOWCOPY_MY_PASSWORD");

    private static Task<(int, string, string)> AlterAsync(string dsn, string table, string password, params string[] more) =>
        CliFailure.RunAsync(password, "MYSQL_PWD", ["alter", "--dsn", dsn, "--table", table, "--alter", "ADD COLUMN note VARCHAR(10)", "--execute", .. more]);

    [Fact]
    public async Task Alter_closed_port_prints_three_lines_and_exits_3()
    {
        var run = await AlterAsync($"mysql://app@{Host}:1/shop", "t", "x", "--journal", "none");
        CliFailure.AssertShort(run, ExitCodes.ConnectionFailed, "Cannot connect to mysql://app@127.0.0.1:1/shop: Unable to connect to any of the specified MySQL hosts; check that the server is running");
        Assert.Empty(run.Item2.Trim());
    }

    [Fact]
    public async Task Alter_wrong_password_names_the_credentials_and_exits_3()
    {
        var run = await AlterAsync(Dsn, "t", "not-the-password", "--journal", "none");
        CliFailure.AssertShort(run, ExitCodes.ConnectionFailed, $"Access denied for user '{User}'");
        Assert.Contains("check the user in --dsn and the password", run.Item3, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", run.Item2 + run.Item3, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alter_missing_database_names_it_and_exits_3()
    {
        var run = await AlterAsync($"mysql://{User}@{Host}:{Port}/no_such_db_13", "t", Password, "--journal", "none");
        CliFailure.AssertShort(run, ExitCodes.ConnectionFailed, "Unknown database 'no_such_db_13'; check the database name in --dsn");
    }

    [Fact]
    public async Task Alter_missing_table_is_refused_with_exit_10()
    {
        var run = await AlterAsync(Dsn, "no_such_table_13", Password, "--journal", "none");
        CliFailure.AssertShort(run, ExitCodes.TableMissing, $"refused [table-missing]: Table {Database}.no_such_table_13 does not exist", "refused");
    }

    /// <summary>
    /// A server error in the middle of a run, provoked deterministically: the on-row-copy-complete
    /// hook inserts a NULL the ALTER forbids (no NULL existed when preflight looked), so applying the
    /// captured change fails with 1048. The run stops, cleans up, and says so in one sentence; the
    /// journal's run-finished event carries the whole exception.
    /// </summary>
    [Theory]
    [InlineData("binlog")]
    [InlineData("trigger")]
    public async Task Alter_server_error_while_applying_changes_is_one_sentence_and_journalled(string capture)
    {
        var name = UniqueName("nnull");
        var dir = Directory.CreateTempSubdirectory("sc-nnull-").FullName;
        try
        {
            await ExecAsync($"CREATE TABLE {Q(name)} (id INT PRIMARY KEY AUTO_INCREMENT, e INT NULL, note VARCHAR(20))");
            await ExecAsync($"INSERT INTO {Q(name)} (e, note) SELECT seq, 'x' FROM seq_1_to_2000");

            // Hooks get no secrets in their environment: the client reads the password from a 0600 file.
            var cnf = Path.Combine(dir, "client.cnf");
            File.WriteAllText(cnf, $"[client]\npassword={Password}\n");
            File.SetUnixFileMode(cnf, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var hooks = Directory.CreateDirectory(Path.Combine(dir, "hooks")).FullName;
            var hook = Path.Combine(hooks, "on-row-copy-complete");
            File.WriteAllText(hook, $"#!/bin/sh\nexec mariadb --defaults-file='{cnf}' -h{Host} -P{Port} -u{User} {Database} -e \"INSERT INTO {name} (e, note) VALUES (NULL, 'late')\"\n"); // name: letters, digits, _ only
            File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var journal = Path.Combine(dir, "run.jsonl");

            var run = await CliFailure.RunAsync(Password, "MYSQL_PWD", "alter", "--dsn", Dsn, "--table", name, "--alter", "MODIFY e INT NOT NULL", "--execute",
                "--capture", capture, "--hooks-dir", hooks, "--journal", journal);

            CliFailure.AssertShort(run, ExitCodes.AlterRejected, "1048: Column 'e' cannot be null");
            Assert.Contains("Nothing was swapped; the original table is unchanged.", run.Item3, StringComparison.Ordinal);
            var finished = File.ReadLines(journal).Select(l => JsonDocument.Parse(l).RootElement).Last(e => e.GetProperty("kind").GetString() == "run-finished");
            Assert.Contains("Column 'e' cannot be null", finished.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.Contains("   at ", finished.GetProperty("error").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain(Password, File.ReadAllText(journal), StringComparison.Ordinal);

            // The original keeps its shape and the late row; nothing is left behind.
            Assert.Equal([name], await ObjectsAsync(name));
            Assert.Equal("YES", await ScalarAsync($"SELECT IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {Lit(Database)} AND TABLE_NAME = {Lit(name)} AND COLUMN_NAME = 'e'"));
            Assert.Equal("2001", await ScalarAsync($"SELECT COUNT(*) FROM {Q(name)}"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
            await DropAsync(name);
        }
    }
}
