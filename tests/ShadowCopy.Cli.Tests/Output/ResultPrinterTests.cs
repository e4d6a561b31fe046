using System.Text.Json;
using ShadowCopy.Cli.Output;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Cli.Tests.Output;

public sealed class ResultPrinterTests
{
    private static readonly AlterResult Completed = new()
    {
        ExitCode = ExitCodes.Success,
        Outcome = "completed",
        Message = null,
        RowsCopied = 1_000_000,
        ChangesApplied = 2_500,
        ChunksVerified = 40,
        RowsVerified = 1_000_000,
        ChunksRecopied = 1,
        CutOverLockWaitMs = 12,
        CutOverAttempts = 2,
        Duration = TimeSpan.FromSeconds(95),
        ShadowTable = "_orders_new",
        OldTable = "_orders_old",
        EstimatedRows = 1_000_000,
        Warnings = ["column c narrowed"],
    };

    private static readonly AlterResult Refused = new()
    {
        ExitCode = ExitCodes.Leftovers,
        Outcome = "refused",
        Message = "An earlier run left table public._orders_new.",
        RefusalId = "leftovers",
        ShadowTable = "_orders_new",
        OldTable = "_orders_old",
    };

    private static readonly AlterResult DryRun = new()
    {
        ExitCode = ExitCodes.Success,
        Outcome = "dry-run",
        Message = "Dry run: nothing on public.orders was changed.",
        RowsCopied = 5_000,
        EstimatedRows = 1_000_000,
        SampleRowsPerSecond = 25_000,
        EstimatedCopyDuration = TimeSpan.FromSeconds(40),
        ShadowTable = "_orders_new",
        OldTable = "_orders_old",
        Plan =
        [
            new PlannedStatement("create shadow", "CREATE TABLE \"public\".\"_orders_new\" (LIKE \"public\".\"orders\")", ExecutedInDryRun: true),
            new PlannedStatement("create shadow", "ALTER TABLE \"public\".\"_orders_new\" ADD COLUMN note text\n", ExecutedInDryRun: true),
            new PlannedStatement("install capture", "CREATE TRIGGER \"_orders_trg\" …", ExecutedInDryRun: false, Lock: "SHARE ROW EXCLUSIVE on public.orders, brief"),
            new PlannedStatement("cut-over", "ALTER TABLE \"public\".\"orders\" RENAME TO \"_orders_old\"", ExecutedInDryRun: false, Lock: "ACCESS EXCLUSIVE, bounded by lock_timeout"),
        ],
    };

    [Fact]
    public void Print_completed_text_goes_to_output_with_the_summary_and_the_kept_table()
    {
        var (output, error) = Print(Completed, OutputFormat.Text);

        Assert.Equal(string.Empty, error);
        Assert.Equal(
            [
                "warning: column c narrowed",
                "completed: rows copied 1,000,000, changes applied 2,500, chunks verified 40 (1,000,000 rows, re-copied 1), rows verified after the copy 0 (re-applied 0), cut-over lock wait 12 ms in 2 attempt(s), duration 1:35",
                "the original table is kept as _orders_old (drop it when satisfied, or pass --drop-old-table next time)",
                "exit code 0",
            ],
            SplitLines(output));
    }

    [Fact]
    public void Print_completed_with_the_old_table_dropped_does_not_claim_it_is_kept()
    {
        var (output, _) = Print(Completed with { OldTableDropped = true }, OutputFormat.Text);

        var lines = SplitLines(output);
        Assert.Equal("the original table (_orders_old) was dropped (--drop-old-table)", lines[^2]);
        Assert.DoesNotContain(lines, l => l.Contains("kept as", StringComparison.Ordinal));
        Assert.True(PrintJson(Completed with { OldTableDropped = true }).GetProperty("old_table_dropped").GetBoolean());
    }

    [Fact]
    public void Print_refused_text_goes_to_error_with_the_refusal_id()
    {
        var (output, error) = Print(Refused, OutputFormat.Text);

        Assert.Equal(string.Empty, output);
        var lines = SplitLines(error);
        Assert.Equal("refused [leftovers]: An earlier run left table public._orders_new.", lines[0]);
        Assert.StartsWith("refused: rows copied 0,", lines[1], StringComparison.Ordinal);
        Assert.Equal("exit code 14", lines[^1]);
        Assert.DoesNotContain(lines, l => l.Contains("kept as", StringComparison.Ordinal));
    }

    [Fact]
    public void Print_cancelled_text_goes_to_error_without_a_plan_or_kept_table()
    {
        var cancelled = Refused with { ExitCode = ExitCodes.Cancelled, Outcome = "cancelled", RefusalId = null, Message = "Cancelled before cut-over." };

        var (output, error) = Print(cancelled, OutputFormat.Text);

        Assert.Equal(string.Empty, output);
        var lines = SplitLines(error);
        Assert.Equal("Cancelled before cut-over.", lines[0]);
        Assert.StartsWith("cancelled: rows copied 0,", lines[1], StringComparison.Ordinal);
        Assert.Equal("exit code 6", lines[^1]);
    }

    [Fact]
    public void Print_dry_run_text_shows_the_plan_with_step_headers_and_lock_notes()
    {
        var (output, _) = Print(DryRun, OutputFormat.Text);

        var lines = SplitLines(output);
        Assert.Equal(
            [
                "-- plan (dry run) ------------------------------------------------------------",
                string.Empty,
                "-- create shadow [executed in the dry run]",
                "CREATE TABLE \"public\".\"_orders_new\" (LIKE \"public\".\"orders\");",
                "ALTER TABLE \"public\".\"_orders_new\" ADD COLUMN note text;",
                string.Empty,
                "-- install capture",
                "-- lock: SHARE ROW EXCLUSIVE on public.orders, brief",
                "CREATE TRIGGER \"_orders_trg\" …;",
                string.Empty,
                "-- cut-over",
                "-- lock: ACCESS EXCLUSIVE, bounded by lock_timeout",
                "ALTER TABLE \"public\".\"orders\" RENAME TO \"_orders_old\";",
                string.Empty,
                "estimate: 1,000,000 rows; sampled 5,000 rows at 25,000 rows/s; copy would take about 0:40 without load or throttling",
                "Dry run: nothing on public.orders was changed.",
            ],
            lines[..16]);
        Assert.Equal("exit code 0", lines[^1]);
    }

    [Fact]
    public void Print_json_completed_is_one_result_line_with_every_figure()
    {
        var json = PrintJson(Completed);

        Assert.Equal("result", json.GetProperty("type").GetString());
        Assert.Equal("completed", json.GetProperty("outcome").GetString());
        Assert.Equal(0, json.GetProperty("exit_code").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("refusal").ValueKind);
        Assert.Equal(1_000_000, json.GetProperty("rows_copied").GetInt64());
        Assert.Equal(2_500, json.GetProperty("changes_applied").GetInt64());
        Assert.Equal(40, json.GetProperty("chunks_verified").GetInt32());
        Assert.Equal(1, json.GetProperty("chunks_recopied").GetInt32());
        Assert.Equal(12, json.GetProperty("cut_over_lock_wait_ms").GetInt64());
        Assert.Equal(2, json.GetProperty("cut_over_attempts").GetInt32());
        Assert.Equal(95.0, json.GetProperty("duration_seconds").GetDouble());
        Assert.Equal("_orders_old", json.GetProperty("old_table").GetString());
        Assert.False(json.GetProperty("old_table_dropped").GetBoolean());
        Assert.Equal(["column c narrowed"], json.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()));
        Assert.Equal(0, json.GetProperty("plan").GetArrayLength());
    }

    [Fact]
    public void Print_json_refused_carries_the_refusal_id_and_exit_code()
    {
        var json = PrintJson(Refused);

        Assert.Equal("refused", json.GetProperty("outcome").GetString());
        Assert.Equal("leftovers", json.GetProperty("refusal").GetString());
        Assert.Equal(ExitCodes.Leftovers, json.GetProperty("exit_code").GetInt32());
        Assert.Equal(Refused.Message, json.GetProperty("message").GetString());
    }

    [Fact]
    public void Print_json_dry_run_carries_the_plan_and_the_estimate()
    {
        var json = PrintJson(DryRun);

        Assert.Equal("dry-run", json.GetProperty("outcome").GetString());
        Assert.Equal(25_000.0, json.GetProperty("sample_rows_per_second").GetDouble());
        Assert.Equal(40.0, json.GetProperty("estimated_copy_seconds").GetDouble());
        var plan = json.GetProperty("plan").EnumerateArray().ToList();
        Assert.Equal(4, plan.Count);
        Assert.Equal("install capture", plan[2].GetProperty("step").GetString());
        Assert.False(plan[2].GetProperty("executed_in_dry_run").GetBoolean());
        Assert.Equal("SHARE ROW EXCLUSIVE on public.orders, brief", plan[2].GetProperty("lock").GetString());
        Assert.True(plan[0].GetProperty("executed_in_dry_run").GetBoolean());
        Assert.Equal(JsonValueKind.Null, plan[0].GetProperty("lock").ValueKind);
    }

    private static (string Output, string Error) Print(AlterResult result, OutputFormat format)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        ResultPrinter.Print(result, format, output, error);
        return (output.ToString(), error.ToString());
    }

    private static JsonElement PrintJson(AlterResult result)
    {
        var (output, error) = Print(result, OutputFormat.Json);
        Assert.Equal(string.Empty, error);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    private static string[] SplitLines(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
}
