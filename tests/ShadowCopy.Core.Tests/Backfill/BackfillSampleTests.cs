using ShadowCopy.Core.Backfill;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Core.Tests.Backfill;

public sealed class BackfillSampleTests
{
    private static BackfillOptions Options(string? where = "n < 10", string? verify = "n > 99") => new()
    {
        Table = new TableName("app", "orders"),
        Set = "n = n + 1",
        Where = where,
        Verify = verify,
        Run = new AlterOptions { Table = new TableName("app", "orders"), Alter = string.Empty },
    };

    private static string? Rejection(Exception error) => error is InvalidDataException ? $"{error.Message} (error 1054)" : null;

    [Fact]
    public async Task ValidateAsync_probes_where_then_verify_then_runs_the_sample()
    {
        var calls = new List<string>();

        await BackfillSample.ValidateAsync(Options(), mysql: true, c => Record(calls, "probe " + c), () => Record(calls, "sample"), Rejection, () => Record(calls, "after"));

        Assert.Equal(["probe n < 10", "probe n > 99", "sample"], calls);
    }

    [Fact]
    public async Task ValidateAsync_without_conditions_runs_only_the_sample()
    {
        var calls = new List<string>();

        await BackfillSample.ValidateAsync(Options(null, null), mysql: false, c => Record(calls, "probe " + c), () => Record(calls, "sample"), Rejection, () => Record(calls, "after"));

        Assert.Equal(["sample"], calls);
    }

    [Fact]
    public async Task ValidateAsync_server_rejection_of_a_condition_refuses_naming_the_option()
    {
        var calls = new List<string>();

        var refusal = await Assert.ThrowsAsync<PreflightRefusedException>(() => BackfillSample.ValidateAsync(
            Options(),
            mysql: true,
            c => c == "n > 99" ? throw new InvalidDataException("Unknown column 'n'") : Record(calls, "probe " + c),
            () => Record(calls, "sample"),
            Rejection,
            () => Record(calls, "after")));

        Assert.Equal(RefusalReason.BackfillRejected, refusal.Reason);
        Assert.Equal("The server rejected --verify in a sample that was rolled back: Unknown column 'n' (error 1054). Nothing was changed.", refusal.Message);
        Assert.IsType<InvalidDataException>(refusal.InnerException);
        Assert.Equal(["probe n < 10", "after"], calls);
    }

    [Fact]
    public async Task ValidateAsync_server_rejection_of_the_sample_refuses_naming_set()
    {
        var refusal = await Assert.ThrowsAsync<PreflightRefusedException>(() => BackfillSample.ValidateAsync(
            Options(), mysql: false, _ => Task.CompletedTask, () => throw new InvalidDataException("bad"), Rejection, () => Task.CompletedTask));

        Assert.Equal("The server rejected --set in a sample that was rolled back: bad (error 1054). Nothing was changed.", refusal.Message);
    }

    [Fact]
    public async Task ValidateAsync_other_failures_propagate_unchanged()
    {
        var calls = new List<string>();
        var lost = new TimeoutException("connection lost");

        var thrown = await Assert.ThrowsAsync<TimeoutException>(() => BackfillSample.ValidateAsync(
            Options(), mysql: true, _ => Task.CompletedTask, () => throw lost, Rejection, () => Record(calls, "after")));

        Assert.Same(lost, thrown);
        Assert.Empty(calls);
    }

    [Fact]
    public async Task ValidateAsync_checks_the_fragments_before_any_statement()
    {
        var calls = new List<string>();

        var refusal = await Assert.ThrowsAsync<PreflightRefusedException>(() => BackfillSample.ValidateAsync(
            Options(verify: "1); DROP TABLE t; --"), mysql: true, c => Record(calls, "probe " + c), () => Record(calls, "sample"), Rejection, () => Record(calls, "after")));

        Assert.Equal(RefusalReason.BackfillRejected, refusal.Reason);
        Assert.StartsWith("--verify must be one condition", refusal.Message, StringComparison.Ordinal);
        Assert.Empty(calls);
    }

    private static Task Record(List<string> calls, string call)
    {
        calls.Add(call);
        return Task.CompletedTask;
    }
}
