using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>Failures as a person meets them with the real executable: one sentence, the result, the exit code (issue 13).</summary>
[Collection("postgres")]
public sealed class PgCliErrorTests
{
    private static string Host => TestServers.Get("SHADOWCOPY_PG_HOST");

    private static string Port => TestServers.Get("SHADOWCOPY_PG_PORT");

    private static Task<(int, string, string)> AlterAsync(string dsn, string table, string password) =>
        CliFailure.RunAsync(password, "PGPASSWORD", "alter", "--dsn", dsn, "--table", table, "--alter", "ADD COLUMN note text", "--execute", "--journal", "none");

    [Fact]
    public async Task Alter_closed_port_prints_three_lines_and_exits_3()
    {
        var run = await AlterAsync($"postgres://app@{Host}:1/shop", "t", "x");
        CliFailure.AssertShort(run, ExitCodes.ConnectionFailed, "Cannot connect to postgres://app@127.0.0.1:1/shop: Failed to connect to 127.0.0.1:1 (connection refused); check that the server is running");
        Assert.Empty(run.Item2.Trim());
    }

    [Fact]
    public async Task Alter_wrong_password_names_the_credentials_and_exits_3()
    {
        var run = await AlterAsync(PgServer.Dsn(), "t", "not-the-password");
        CliFailure.AssertShort(run, ExitCodes.ConnectionFailed, "password authentication failed for user \"shadowcopy\"; check the user in --dsn and the password");
        Assert.DoesNotContain("not-the-password", run.Item2 + run.Item3, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alter_missing_database_names_it_and_exits_3()
    {
        var run = await AlterAsync($"postgres://{PgServer.User}@{Host}:{Port}/no_such_db_13", "t", PgServer.Password);
        CliFailure.AssertShort(run, ExitCodes.ConnectionFailed, "database \"no_such_db_13\" does not exist; check the database name in --dsn");
    }

    [Fact]
    public async Task Alter_missing_table_is_refused_with_exit_10()
    {
        var run = await AlterAsync(PgServer.Dsn(), "public.no_such_table_13", PgServer.Password);
        CliFailure.AssertShort(run, ExitCodes.TableMissing, "refused [table-missing]: Table public.no_such_table_13 does not exist", "refused");
    }
}
