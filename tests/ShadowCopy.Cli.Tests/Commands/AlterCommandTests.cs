using System.CommandLine;
using ShadowCopy.Cli.Commands.Alter;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Cli.Tests.Commands;

/// <summary>
/// Option validation through the real command definitions. Every case here fails before a
/// connection is attempted, so no server is needed; a case that got further would try to connect.
/// </summary>
public sealed class AlterCommandTests
{
    private const string Dsn = "postgres://app@127.0.0.1:1/shop";

    [Theory]
    [InlineData("--chunk-time", "abc", "--chunk-time must be a positive duration")]
    [InlineData("--chunk-time", "0", "--chunk-time must be a positive duration")]
    [InlineData("--chunk-time", "-1s", "--chunk-time must be a positive duration")]
    [InlineData("--chunk-time", "NaN", "--chunk-time must be a positive duration")]
    [InlineData("--chunk-time", "1e300s", "--chunk-time must be a positive duration")]
    [InlineData("--cut-over-lock-timeout", "soon", "--cut-over-lock-timeout must be a positive duration")]
    [InlineData("--chunk-size", "0", "--chunk-size and --max-chunk-size must be at least 1")]
    [InlineData("--max-chunk-size", "-5", "--chunk-size and --max-chunk-size must be at least 1")]
    [InlineData("--cut-over-attempts", "0", "--cut-over-attempts must be between 1 and 100")]
    [InlineData("--cut-over-attempts", "101", "--cut-over-attempts must be between 1 and 100")]
    [InlineData("--max-rows-per-second", "0", "--max-rows-per-second must be at least 1")]
    [InlineData("--output", "xml", "--output must be text or json")]
    [InlineData("--max-slot-retained-wal", "NaN", "--max-slot-retained-wal must be a size")]
    [InlineData("--max-slot-retained-wal", "0", "--max-slot-retained-wal must be a size")]
    [InlineData("--table", "a.b.c", "more than two parts")]
    [InlineData("--table", "\"orders", "Unterminated quoted identifier")]
    [InlineData("--capture", "binlog", "--capture binlog is not available for PostgreSQL")]
    [InlineData("--capture", "polling", "--capture polling is not available for PostgreSQL")]
    public async Task RunAsync_bad_option_value_is_a_usage_error_with_a_message(string option, string value, string message)
    {
        var (exitCode, output, error) = await RunAsync(WithOption(option, value));

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Equal(string.Empty, output);
    }

    [Theory]
    [InlineData("postgres://app:hunter2@db1/shop")]
    [InlineData("postgres://app@db1/shop?password=hunter2")]
    public async Task RunAsync_dsn_with_password_is_a_usage_error_that_does_not_echo_it(string dsn)
    {
        var (exitCode, _, error) = await RunAsync(WithOption("--dsn", dsn));

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains("must not contain a password", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://db1/shop", "--dsn must start with postgres://")]
    [InlineData("db1:5432", "--dsn must start with postgres://")]
    [InlineData("postgres://app@db1/shop?timeout=3", "Unknown --dsn parameter 'timeout'")]
    public async Task RunAsync_unknown_dsn_scheme_or_parameter_is_a_usage_error(string dsn, string message)
    {
        var (exitCode, _, error) = await RunAsync(WithOption("--dsn", dsn));

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_mysql_dsn_with_password_is_a_usage_error_that_does_not_echo_it()
    {
        var (exitCode, _, error) = await RunAsync(WithOption("--dsn", "mysql://app:hunter2@db1/shop"));

        Assert.Equal(ExitCodes.UsageError, exitCode);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildOptions_maps_every_option()
    {
        var flag = Path.Combine(Path.GetTempPath(), "throttle");
        var postpone = Path.Combine(Path.GetTempPath(), "postpone");
        var parse = Parse(
            "--dsn", Dsn, "--table", "\"Sales\".\"Order Items\"", "--alter", "ADD COLUMN note text", "--execute",
            "--chunk-time", "250ms", "--chunk-size", "5000", "--max-chunk-size", "80000", "--max-rows-per-second", "1200",
            "--throttle-flag-file", flag, "--postpone-cut-over-flag-file", postpone, "--cut-over-lock-timeout", "1.5s",
            "--cut-over-attempts", "9", "--drop-old-table", "--repoint-foreign-keys");

        var options = AlterCommand.BuildOptions(parse, Dsn);

        Assert.Equal(new TableName("Sales", "Order Items"), options.Table);
        Assert.Equal("ADD COLUMN note text", options.Alter);
        Assert.True(options.Execute);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.ChunkTime);
        Assert.Equal(5000, options.InitialChunkSize);
        Assert.Equal(80000, options.MaxChunkSize);
        Assert.Equal(10, options.MinChunkSize);
        Assert.Equal(1200, options.MaxRowsPerSecond);
        Assert.Equal(flag, options.ThrottleFlagFile);
        Assert.Equal(postpone, options.PostponeCutOverFlagFile);
        Assert.Equal(TimeSpan.FromSeconds(1.5), options.CutOverLockTimeout);
        Assert.Equal(9, options.CutOverAttempts);
        Assert.True(options.DropOldTable);
        Assert.True(options.RepointForeignKeys);
    }

    [Fact]
    public void BuildCapture_maps_the_logical_capture_options()
    {
        var capture = AlterCommand.BuildCapture(Parse("--dsn", Dsn, "--table", "t", "--alter", "x", "--capture", "logical", "--max-slot-retained-wal", "512MB", "--allow-replica-identity-full"));

        Assert.Equal("logical", capture.Mode);
        Assert.Equal(512L << 20, capture.MaxSlotRetainedWalBytes);
        Assert.True(capture.AllowReplicaIdentityFull);
        var defaults = AlterCommand.BuildCapture(Parse("--dsn", Dsn, "--table", "t", "--alter", "x"));
        Assert.Equal(4L << 30, defaults.MaxSlotRetainedWalBytes);
        Assert.Null(defaults.Mode);
    }

    [Fact]
    public void BuildOptions_defaults_are_a_dry_run_with_documented_settings()
    {
        var options = AlterCommand.BuildOptions(Parse("--dsn", Dsn, "--table", "Orders", "--alter", "ADD COLUMN n int"), Dsn);

        Assert.Equal(new TableName("public", "orders"), options.Table);
        Assert.False(options.Execute);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.ChunkTime);
        Assert.Equal(1000, options.InitialChunkSize);
        Assert.Equal(200_000, options.MaxChunkSize);
        Assert.Null(options.MaxRowsPerSecond);
        Assert.Null(options.ThrottleFlagFile);
        Assert.Null(options.PostponeCutOverFlagFile);
        Assert.Equal(TimeSpan.FromSeconds(2), options.CutOverLockTimeout);
        Assert.Equal(6, options.CutOverAttempts);
        Assert.False(options.DropOldTable);
        Assert.False(options.RepointForeignKeys);
    }

    [Fact]
    public void BuildOptions_chunk_size_above_the_maximum_is_capped_and_the_minimum_follows_a_small_maximum()
    {
        var options = AlterCommand.BuildOptions(Parse("--dsn", Dsn, "--table", "t", "--alter", "x", "--chunk-size", "5000", "--max-chunk-size", "5"), Dsn);

        Assert.Equal(5, options.InitialChunkSize);
        Assert.Equal(5, options.MaxChunkSize);
        Assert.Equal(5, options.MinChunkSize);
    }

    [Theory]
    [InlineData("Orders", "postgres://app@db1/shop", "public", "orders")]
    [InlineData("\"Orders\"", "postgresql://app@db1/shop", "public", "Orders")]
    [InlineData("Orders", "mysql://app@db1/Shop", "Shop", "Orders")]
    [InlineData("Sales.Orders", "mysql://app@db1/shop", "Sales", "Orders")]
    public void ParseTable_folds_and_defaults_the_schema_per_engine(string text, string dsn, string schema, string name)
    {
        Assert.Equal(new TableName(schema, name), AlterCommand.ParseTable(text, dsn));
    }

    [Theory]
    [InlineData("alter", "--table", "t", "--alter", "x")]
    [InlineData("alter", "--dsn", Dsn, "--table", "t", "--alter", "x", "--no-such-option")]
    [InlineData("alter", "--dsn", Dsn, "--table", "t", "--alter", "x", "--chunk-size", "many")]
    [InlineData("no-such-verb")]
    public async Task Main_command_line_that_does_not_parse_exits_with_the_usage_error_code(params string[] args)
    {
        Assert.Equal(ExitCodes.UsageError, await Program.Main(args));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("alter", "--help")]
    public async Task Main_help_exits_0(params string[] args)
    {
        Assert.Equal(ExitCodes.Success, await Program.Main(args));
    }

    private static string[] WithOption(string option, string value)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--dsn"] = Dsn,
            ["--table"] = "public.orders",
            ["--alter"] = "ADD COLUMN note text",
            [option] = value,
        };
        return [.. args.SelectMany(a => new[] { a.Key, a.Value })];
    }

    private static ParseResult Parse(params string[] alterArgs) => CliHarness.Parse("alter", alterArgs);

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(string[] alterArgs) =>
        CliHarness.RunAsync(AlterCommand.RunAsync, "alter", alterArgs);
}
