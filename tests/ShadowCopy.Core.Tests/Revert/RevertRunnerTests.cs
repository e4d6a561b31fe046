using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Revert;
using ShadowCopy.Core.Tests.Fakes;

namespace ShadowCopy.Core.Tests.Revert;

/// <summary>What revert/finish say about revertibility (issue 18 point 4), against a scripted backend.</summary>
public sealed class RevertRunnerTests
{
    private static readonly DateTimeOffset Swapped = DateTimeOffset.UtcNow.AddMinutes(-90);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Dry_run_says_since_behind_held_and_misfits_and_journals_them(bool finish)
    {
        var backend = new ScriptedRevertBackend(new RevertPlan("public._t_old", Swapped, [("id", "id"), ("n", "n")], [], [], 0, ["RENAME …"]));
        var said = new List<string>();
        var journal = new RecordingObserver();
        var runner = new RevertRunner(backend, said.Add, journal);

        var exit = finish
            ? await runner.FinishAsync(execute: false, keepOldTable: false, TimeSpan.FromSeconds(1), 1, CancellationToken.None)
            : await runner.RevertAsync(execute: false, TimeSpan.FromSeconds(1), 1, CancellationToken.None);

        Assert.Equal(ExitCodes.Success, exit);
        var text = string.Join("\n", said);
        Assert.Contains($"  revertible: since {Swapped.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (1:30:", text, StringComparison.Ordinal);
        Assert.Contains("  behind: 0 rows (the reverse triggers write the old table in the writer's own transaction", text, StringComparison.Ordinal);
        Assert.Contains("  held: none (no binlog or WAL is kept for a revert", text, StringComparison.Ordinal);
        Assert.Contains("  rows that do not fit back: 0", text, StringComparison.Ordinal);
        Assert.Equal(0, backend.Swaps + backend.Finishes);
        var plan = Assert.Single(journal.Events, e => e.Kind == (finish ? "finish-plan" : "revert-plan"));
        Assert.Equal(Swapped.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture), plan.Data["revertible_since"]);
        Assert.Equal(0L, plan.Data["behind_rows"]);
        Assert.Equal(0L, plan.Data["held_bytes"]);
        Assert.Equal(0L, plan.Data["misfits"]);
    }

    [Fact]
    public async Task Dry_run_with_misfits_counts_and_names_them_and_refuses()
    {
        var backend = new ScriptedRevertBackend(new RevertPlan("public._t_old", Swapped, [("s", "s")], ["s goes back"], ["[42]: value too long"], 3, []));
        var said = new List<string>();
        var journal = new RecordingObserver();

        var refusal = await Assert.ThrowsAsync<ShadowCopyException>(() => new RevertRunner(backend, said.Add, journal).RevertAsync(false, TimeSpan.FromSeconds(1), 1, CancellationToken.None));

        Assert.Equal(ExitCodes.RevertNotPossible, refusal.ExitCode);
        Assert.Contains("  rows that do not fit back: 3 (revert refuses until they are changed or deleted)", said);
        Assert.Contains("  keys that do not fit back: [42]: value too long, …", said);
        Assert.Equal(3L, Assert.Single(journal.Events).Data["misfits"]);
    }

    private sealed class ScriptedRevertBackend(RevertPlan plan) : IRevertBackend
    {
        public int Swaps { get; private set; }

        public int Finishes { get; private set; }

        public Task<RevertPlan> InspectAsync(CancellationToken cancellationToken) => Task.FromResult(plan);

        public Task<RevertCheck> VerifyAsync(CancellationToken cancellationToken) => Task.FromResult(new RevertCheck(1, "x", 1, "x"));

        public Task<bool> TrySwapBackAsync(TimeSpan lockTimeout, CancellationToken cancellationToken)
        {
            Swaps++;
            return Task.FromResult(true);
        }

        public Task<bool> TryFinishAsync(bool keepOldTable, TimeSpan lockTimeout, CancellationToken cancellationToken)
        {
            Finishes++;
            return Task.FromResult(true);
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
