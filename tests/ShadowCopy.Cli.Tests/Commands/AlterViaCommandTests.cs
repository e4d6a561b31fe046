using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.External;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.Cli.Tests.Commands;

/// <summary>
/// alter --via: usage errors before anything is contacted, and the exact arguments handed to the
/// tool (no shell: each list element is one argv entry). The runs themselves are integration tests.
/// </summary>
public sealed class AlterViaCommandTests
{
    private const string MyDsn = "mysql://app@127.0.0.1:1/shop";

    [Theory]
    [InlineData("postgres://app@127.0.0.1:1/shop", "pt-osc", "works on MySQL/MariaDB only")]
    [InlineData("postgresql://app@127.0.0.1:1/shop", "gh-ost", "works on MySQL/MariaDB only")]
    [InlineData(MyDsn, "pg_repack", "--via takes pt-osc or gh-ost, not 'pg_repack'")]
    public async Task RunAsync_via_on_wrong_engine_or_unknown_tool_is_a_usage_error(string dsn, string tool, string message)
    {
        var (exitCode, output, error) = await CliHarness.RunAsync(AlterCommand.RunAsync, "alter", ["--dsn", dsn, "--table", "orders", "--alter", "ADD COLUMN c int", "--via", tool, "--execute"]);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public async Task RunAsync_via_with_capture_is_a_usage_error()
    {
        var (exitCode, _, error) = await CliHarness.RunAsync(AlterCommand.RunAsync, "alter", ["--dsn", MyDsn, "--table", "orders", "--alter", "ADD COLUMN c int", "--via", "pt-osc", "--capture", "trigger"]);

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("--capture trigger does not apply with --via", error, StringComparison.Ordinal);
    }

    [Fact]
    public void PtOsc_execute_keeps_new_table_and_triggers_for_our_verification_and_swap()
    {
        var arguments = Arguments(ExternalTool.PtOsc, execute: true, run: new ToolRun("/tmp/x y.cnf", "_orders_ptosc", null));

        Assert.Equal("pt-online-schema-change", arguments[0]);
        Assert.Equal("--defaults-file=/tmp/x y.cnf", arguments[1]); // Percona tools read it only as the first option
        Assert.Contains("--alter=ADD COLUMN note varchar(20) DEFAULT 'it''s'", arguments);
        Assert.Contains("--no-swap-tables", arguments);
        Assert.Contains("--no-drop-new-table", arguments);
        Assert.Contains("--no-drop-triggers", arguments);
        Assert.Contains("--new-table-name=_orders_ptosc", arguments);
        Assert.Contains("--execute", arguments);
        Assert.Contains("--chunk-time=0.5", arguments);
        Assert.DoesNotContain(arguments, a => a.StartsWith("--chunk-size", StringComparison.Ordinal)); // would switch off pt-osc's chunk-time sizing
        Assert.DoesNotContain(arguments, a => a is "--ask-pass" or "--drop-old-table" or "--no-drop-old-table" or "--dry-run");
        Assert.Equal("h=db1,P=3307,u=app,D=shop,t=orders", arguments[^1]);
        Assert.DoesNotContain(arguments, a => a.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public void PtOsc_without_execute_runs_its_own_dry_run_which_drops_its_table_again()
    {
        var arguments = Arguments(ExternalTool.PtOsc, execute: false, run: new ToolRun("/tmp/a.cnf", "_orders_ptosc", null));

        Assert.Contains("--dry-run", arguments);
        Assert.Contains("--new-table-name=_orders_ptosc", arguments);
        Assert.DoesNotContain(arguments, a => a is "--execute" or "--no-drop-new-table" or "--no-drop-triggers" or "--no-swap-tables");
    }

    [Fact]
    public void Ghost_execute_reads_the_password_from_conf_and_waits_on_our_flag_file()
    {
        var arguments = Arguments(ExternalTool.Ghost, execute: true, run: new ToolRun("/tmp/a.cnf", "_orders_gho", "/tmp/flag"), dropOld: true);

        Assert.Equal("gh-ost", arguments[0]);
        Assert.Contains("--conf=/tmp/a.cnf", arguments);
        Assert.Contains("--postpone-cut-over-flag-file=/tmp/flag", arguments);
        Assert.Contains("--ok-to-drop-table", arguments);
        Assert.Contains("--execute", arguments);
        Assert.Contains("--table=orders", arguments);
        Assert.Contains("--database=shop", arguments);
        Assert.DoesNotContain("--ask-pass", arguments);
        Assert.DoesNotContain(arguments, a => a.Contains("s3cret", StringComparison.Ordinal));
    }

    [Fact]
    public void Display_quotes_for_a_shell_and_omits_the_password()
    {
        var options = Options(execute: true, dropOld: false);
        var request = ViaExternalToolCommand.Request(Settings(), options, ExternalTool.PtOsc);
        var words = ViaExternalToolCommand.Build(ExternalTool.PtOsc, request, new ToolRun("/tmp/x y.cnf", "_orders_ptosc", null)).Words;

        Assert.Contains("--defaults-file='/tmp/x y.cnf'", words);
        Assert.Contains("--alter='ADD COLUMN note varchar(20) DEFAULT '\\''it'\\'''\\''s'\\'''", words);
    }

    private static List<string> Arguments(ExternalTool tool, bool execute, ToolRun run, bool dropOld = false)
    {
        var request = ViaExternalToolCommand.Request(Settings(), Options(execute, dropOld), tool);
        return ViaExternalToolCommand.Build(tool, request, run).Arguments.ToList();
    }

    private static MySqlSettings Settings() => new() { Host = "db1", Port = 3307, User = "app", Password = "s3cret", Database = "shop" };

    private static AlterOptions Options(bool execute, bool dropOld) => new()
    {
        Table = new TableName("shop", "orders"),
        Alter = "ADD COLUMN note varchar(20) DEFAULT 'it''s'",
        Execute = execute,
        DropOldTable = dropOld,
    };
}
