using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Cli.Commands.Ctl;
using ShadowCopy.Core.Control;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Cli.Tests.Commands;

/// <summary><c>shadowcopy ctl</c> against an in-process control server, and the alter options that set one up.</summary>
public sealed class CtlCommandTests : IDisposable
{
    private const string Dsn = "postgres://app@127.0.0.1:1/shop";

    private readonly string _dir = Directory.CreateTempSubdirectory("sc-ctl-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RunControl NewControl() => new(new AlterOptions { Table = new TableName("public", "orders"), Alter = "ADD COLUMN n int" });

    private static Task<(int ExitCode, string Output, string Error)> CtlAsync(params string[] args) => CliHarness.RunAsync(CtlCommand.RunAsync, "ctl", args);

    [Fact]
    public async Task RunAsync_command_is_applied_and_its_reply_printed()
    {
        var path = Path.Combine(_dir, "run.sock");
        var control = NewControl();
        await using var server = await ControlServer.StartAsync(path, control);

        var (exitCode, output, _) = await CtlAsync("--socket", path, "chunk-size=250");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.StartsWith("ok:", output, StringComparison.Ordinal);
        Assert.Equal(250, control.TakeRequestedChunkSize());

        (exitCode, output, _) = await CtlAsync("--socket", path, "status", "json");
        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.StartsWith("{\"phase\":\"starting\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_error_reply_exits_2()
    {
        var path = Path.Combine(_dir, "run.sock");
        await using var server = await ControlServer.StartAsync(path, NewControl());

        var (exitCode, output, _) = await CtlAsync("--socket", path, "chunk-size=none");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.StartsWith("error: chunk-size takes a positive number", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_nothing_listening_exits_3()
    {
        var (exitCode, _, error) = await CtlAsync("--socket", Path.Combine(_dir, "missing.sock"), "status");

        Assert.Equal(ExitCodes.ConnectionFailed, exitCode);
        Assert.Contains("cannot reach a run", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--dsn", Dsn)]
    [InlineData("--table", "orders")]
    public async Task RunAsync_without_a_socket_or_both_dsn_and_table_exits_2(string option, string value)
    {
        var (exitCode, _, error) = await CtlAsync(option, value, "status");

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("ctl needs --socket PATH", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_dsn_and_table_find_the_runs_default_socket_without_connecting()
    {
        var target = RunTarget.Parse(Dsn, "Orders");
        Assert.Equal(Path.Combine(Path.GetTempPath(), "shadowcopy-shop.public.orders.sock"), target.DefaultSocketPath());
        var path = target.DefaultSocketPath();
        await using var server = await ControlServer.StartAsync(path, NewControl());

        var (exitCode, output, _) = await CtlAsync("--dsn", Dsn, "--table", "public.orders", "help");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("postpone-cut-over", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alter_control_socket_of_a_live_run_refuses_with_19_before_connecting()
    {
        var path = Path.Combine(_dir, "live.sock");
        await using var server = await ControlServer.StartAsync(path, NewControl());

        var (exitCode, _, error) = await CliHarness.RunAsync(AlterCommand.RunAsync, "alter", ["--dsn", Dsn, "--table", "orders", "--alter", "ADD COLUMN n int", "--control-socket", path, "--journal", "none"]);

        Assert.Equal(ExitCodes.NameConflict, exitCode);
        Assert.Contains("another shadowcopy run controls this table", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--hooks-dir", "/nonexistent/hooks", "--hooks-dir '/nonexistent/hooks' does not exist")]
    [InlineData("--journal", "", "--journal takes a file path or 'none'")]
    public async Task Alter_bad_hooks_dir_or_journal_is_a_usage_error(string option, string value, string message)
    {
        var (exitCode, _, error) = await CliHarness.RunAsync(AlterCommand.RunAsync, "alter", ["--dsn", Dsn, "--table", "orders", "--alter", "ADD COLUMN n int", option, value]);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void RunTarget_mysql_keeps_case_and_never_keeps_a_password()
    {
        var target = RunTarget.Parse("mysql://root:hunter2@db1:3306/Shop", "Orders");

        Assert.Equal(("mysql", "Shop", "root", "db1"), (target.Engine, target.Database, target.User, target.Host));
        Assert.Equal(new TableName("Shop", "Orders"), target.Table);
        Assert.DoesNotContain("hunter2", target.ToString(), StringComparison.Ordinal);
    }
}
