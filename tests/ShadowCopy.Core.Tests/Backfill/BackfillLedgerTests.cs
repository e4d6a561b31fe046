using ShadowCopy.Core.Backfill;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Tests.Fakes;

namespace ShadowCopy.Core.Tests.Backfill;

public sealed class BackfillLedgerTests
{
    private static readonly string[] Keys = ["tenant", "id"];

    private static BackfillOptions Options(string set = "n = n + 1", string? where = "n < 10") => new()
    {
        Table = new TableName("app", "orders"),
        Set = set,
        Where = where,
        Run = new AlterOptions { Table = new TableName("app", "orders"), Alter = string.Empty },
    };

    private static BackfillCheckpoint Stored(string set = "n = n + 1", string? where = "n < 10", string keys = "tenant,id") =>
        new(set, where, keys, ["7", "'x'"], Batches: 3, Scanned: 300, Updated: 250, Done: false, Skipped: """[["1","\u0027a\u0027"]]""");

    [Fact]
    public async Task StartAsync_fresh_run_creates_and_resets_with_the_key_columns_and_reports_no_progress()
    {
        var store = new FakeCheckpointStore { Stored = Stored() };
        var ledger = new BackfillLedger(Options());

        var progress = await ledger.StartAsync(store, Keys, resume: false, CancellationToken.None);

        Assert.Equal(BackfillProgress.None, progress);
        Assert.Equal(["create", "reset tenant,id"], store.Calls);
        Assert.Null(ledger.Cursor);
        Assert.False(ledger.Exhausted);
        Assert.Empty(ledger.Skipped);
    }

    [Fact]
    public async Task StartAsync_resume_takes_cursor_flag_skipped_keys_and_progress_from_the_checkpoint()
    {
        var store = new FakeCheckpointStore { Stored = Stored() };
        var ledger = new BackfillLedger(Options());

        var progress = await ledger.StartAsync(store, Keys, resume: true, CancellationToken.None);

        Assert.Equal(new BackfillProgress(3, 300, 250, Done: false), progress);
        Assert.Equal(["create", "load"], store.Calls);
        Assert.NotNull(ledger.Cursor);
        Assert.Equal(["7", "'x'"], ledger.Cursor);
        Assert.False(ledger.Exhausted);
        Assert.Equal([["1", "'a'"]], ledger.Skipped);
    }

    [Fact]
    public async Task StartAsync_resume_of_an_exhausted_checkpoint_is_done_only_without_skipped_keys()
    {
        var pending = new BackfillLedger(Options());
        var withSkipped = await pending.StartAsync(new FakeCheckpointStore { Stored = Stored() with { Upper = null, Done = true } }, Keys, resume: true, CancellationToken.None);
        var finished = new BackfillLedger(Options());
        var withoutSkipped = await finished.StartAsync(new FakeCheckpointStore { Stored = Stored() with { Upper = null, Done = true, Skipped = "[]" } }, Keys, resume: true, CancellationToken.None);

        Assert.True(pending.Exhausted);
        Assert.False(withSkipped.Done);
        Assert.True(withoutSkipped.Done);
    }

    [Fact]
    public async Task StartAsync_resume_without_a_checkpoint_refuses()
    {
        var ledger = new BackfillLedger(Options());

        var refusal = await Assert.ThrowsAsync<PreflightRefusedException>(() => ledger.StartAsync(new FakeCheckpointStore(), Keys, resume: true, CancellationToken.None));

        Assert.Equal(RefusalReason.ResumeNotPossible, refusal.Reason);
        Assert.Equal("--resume: no backfill checkpoint for app.orders (a finished backfill removes it); run without --resume: --where makes it touch only the rows still to do.", refusal.Message);
    }

    public static TheoryData<string, string?, string> OtherBackfills => new()
    {
        { "n = n + 2", "n < 10", "tenant,id" },
        { "n = n + 1", "n < 11", "tenant,id" },
        { "n = n + 1", null, "tenant,id" },
        { "n = n + 1", "n < 10", "id,tenant" },
        { "n = n + 1", "n < 10", "id" },
    };

    [Theory]
    [MemberData(nameof(OtherBackfills))]
    public async Task StartAsync_resume_of_another_backfill_refuses_and_takes_nothing(string set, string? where, string keys)
    {
        var ledger = new BackfillLedger(Options());

        var refusal = await Assert.ThrowsAsync<PreflightRefusedException>(() =>
            ledger.StartAsync(new FakeCheckpointStore { Stored = Stored(set, where, keys) }, Keys, resume: true, CancellationToken.None));

        Assert.Equal(RefusalReason.ResumeNotPossible, refusal.Reason);
        Assert.Equal("--resume: the checkpoint of app.orders is for a different backfill (--set, --where or the key differ); run without --resume to start over.", refusal.Message);
        Assert.Null(ledger.Cursor);
        Assert.Empty(ledger.Skipped);
    }

    [Fact]
    public async Task StartAsync_resume_without_where_matches_a_checkpoint_without_where()
    {
        var ledger = new BackfillLedger(Options(where: null));

        var progress = await ledger.StartAsync(new FakeCheckpointStore { Stored = Stored(where: null) }, Keys, resume: true, CancellationToken.None);

        Assert.Equal(3, progress.Batches);
    }

    [Fact]
    public async Task RunRangeAsync_commit_moves_the_cursor_and_keeps_the_skipped_keys_a_rolled_back_batch_does_not()
    {
        var ledger = new BackfillLedger(Options());
        var lowers = new List<string[]?>();

        var sample = await ledger.RunRangeAsync(commit: false, lower => Range(lowers, lower, ["10"], [["4"]]));
        var first = await ledger.RunRangeAsync(commit: true, lower => Range(lowers, lower, ["10"], [["4"]]));
        var second = await ledger.RunRangeAsync(commit: true, lower => Range(lowers, lower, ["20"], [["15"], ["17"]]));
        var last = await ledger.RunRangeAsync(commit: true, lower => Range(lowers, lower, null, []));

        Assert.Equal([null, null, ["10"], ["20"]], lowers);
        Assert.False(sample.Done);
        Assert.False(first.Done);
        Assert.False(second.Done);
        Assert.True(last.Done);
        Assert.Equal((100, 90), (first.Scanned, first.Updated));
        Assert.Null(ledger.Cursor);
        Assert.True(ledger.Exhausted);
        Assert.Equal([["4"], ["15"], ["17"]], ledger.Skipped);
    }

    [Fact]
    public async Task UpdateSkippedAsync_updates_oldest_first_and_stops_at_a_row_still_held()
    {
        var ledger = await LedgerWithSkippedAsync("""[["1"],["2"],["3"]]""");
        var seen = new List<string>();

        var updated = await ledger.UpdateSkippedAsync(() =>
        {
            var key = ledger.Skipped[0][0];
            seen.Add(key);
            return Task.FromResult<long?>(key == "2" ? null : 1);
        });

        Assert.Equal(1, updated);
        Assert.Equal(["1", "2"], seen);
        Assert.Equal([["2"], ["3"]], ledger.Skipped);
    }

    [Fact]
    public async Task UpdateSkippedAsync_counts_the_rows_changed_and_empties_the_list()
    {
        var ledger = await LedgerWithSkippedAsync("""[["1"],["2"],["3"]]""");
        var remaining = new List<string>();

        // A row that no longer matches --where changes nothing and still leaves the list.
        var updated = await ledger.UpdateSkippedAsync(() =>
        {
            remaining.Add(BackfillLedger.SkippedJson(ledger.Skipped.Skip(1)));
            return Task.FromResult<long?>(ledger.Skipped[0][0] == "2" ? 0 : 1);
        });

        Assert.Equal(2, updated);
        Assert.Empty(ledger.Skipped);
        Assert.Equal(["""[["2"],["3"]]""", """[["3"]]""", "[]"], remaining);
    }

    [Fact]
    public void SkippedJson_round_trips_keys_with_quotes_backslashes_and_unicode()
    {
        string[][] keys = [["'it''s'", "1"], ["'a\\\\b'", "NULL"], ["'\"é😀'", "-2"]];

        var json = BackfillLedger.SkippedJson(keys);

        Assert.Equal(keys, BackfillLedger.ParseSkipped(json));
        // The text the checkpoints hold (and earlier versions wrote): System.Text.Json's defaults.
        Assert.Equal("""[["\u0027it\u0027\u0027s\u0027","1"],["\u0027a\\\\b\u0027","NULL"],["\u0027\u0022\u00E9\uD83D\uDE00\u0027","-2"]]""", json);
    }

    [Fact]
    public void SkippedJson_of_no_keys_is_the_empty_array_the_checkpoint_starts_with()
    {
        Assert.Equal("[]", BackfillLedger.SkippedJson([]));
    }

    [Fact]
    public void ParseSkipped_reads_the_empty_list_and_json_null()
    {
        Assert.Empty(BackfillLedger.ParseSkipped("[]"));
        Assert.Empty(BackfillLedger.ParseSkipped("null"));
    }

    private static Task<BackfillRange> Range(List<string[]?> lowers, string[]? lower, string[]? upper, string[][] skipped)
    {
        lowers.Add(lower);
        return Task.FromResult(new BackfillRange(100, 90, upper, skipped));
    }

    private static async Task<BackfillLedger> LedgerWithSkippedAsync(string skipped)
    {
        var ledger = new BackfillLedger(Options());
        await ledger.StartAsync(new FakeCheckpointStore { Stored = Stored() with { Skipped = skipped } }, Keys, resume: true, CancellationToken.None);
        return ledger;
    }
}
