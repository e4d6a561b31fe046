using ShadowCopy.Core.Copy;

namespace ShadowCopy.Core.Tests.Copy;

public sealed class ChunkLedgerTests
{
    private static string[] K(int key) => [key.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    /// <summary>Plans the next chunk with the given upper bound (null: the last); returns its id.</summary>
    private static PlannedChunk Plan(ChunkLedger ledger, string[]? upper)
    {
        Assert.True(ledger.TryStartPlan(out var lower));
        return ledger.Planned(lower, upper);
    }

    [Fact]
    public void Sequential_copy_records_chunks_in_order_and_moves_the_cursor()
    {
        var ledger = new ChunkLedger();
        ledger.Copied(null, K(10));
        ledger.Copied(K(10), K(20));

        Assert.Equal(2, ledger.Count);
        Assert.Null(ledger[0].Lower);
        Assert.Equal(K(10), ledger[0].Upper);
        Assert.Equal(K(10), ledger[1].Lower);
        Assert.Equal(K(20), ledger.CopyCursor);
        Assert.False(ledger.CopyDone);

        ledger.Copied(K(20), null);
        Assert.True(ledger.CopyDone);
        Assert.Null(ledger.CopyCursor);
        var committed = ledger.Committed();
        Assert.Equal(3, committed.Chunks.Count);
        Assert.True(committed.Done);
        Assert.False(ledger.TryStartPlan(out _));
    }

    [Fact]
    public void Parallel_plan_continues_where_the_sequential_copy_left_off()
    {
        var ledger = new ChunkLedger();
        ledger.Copied(null, K(10));
        Assert.False(ledger.ParallelStarted);

        var first = Plan(ledger, K(20));
        Assert.True(ledger.ParallelStarted);
        Assert.Equal(1, first.Id);
        Assert.False(first.Last);
        Assert.Equal(K(10), ledger[1].Lower);

        var second = Plan(ledger, null);
        Assert.Equal(2, second.Id);
        Assert.True(second.Last);
        Assert.Equal(K(20), ledger[2].Lower);
        Assert.False(ledger.TryStartPlan(out _)); // everything planned
        Assert.False(ledger.CopyDone);            // but not yet copied
    }

    [Fact]
    public void Out_of_order_completion_advances_the_cursor_only_over_the_contiguous_prefix()
    {
        var ledger = new ChunkLedger();
        var ids = new[] { K(10), K(20), K(30), null }.Select(u => Plan(ledger, u).Id).ToList();
        Assert.Equal([0, 1, 2, 3], ids);

        ledger.MarkCopied(1);
        ledger.MarkCopied(3);
        Assert.Null(ledger.CopyCursor);
        Assert.Empty(ledger.Committed().Chunks);
        Assert.False(ledger.Committed().Done);

        ledger.MarkCopied(0);
        Assert.Equal(K(20), ledger.CopyCursor);
        var committed = ledger.Committed();
        Assert.Equal(2, committed.Chunks.Count);
        Assert.Equal(K(20), committed.Cursor);
        Assert.False(committed.Done);
        Assert.False(ledger.CopyDone);

        ledger.MarkCopied(2);
        Assert.True(ledger.CopyDone);
        committed = ledger.Committed();
        Assert.Equal(4, committed.Chunks.Count);
        Assert.Null(committed.Cursor);
        Assert.True(committed.Done);
    }

    [Fact]
    public void Committed_with_parallel_copy_excludes_planned_but_uncopied_chunks()
    {
        var ledger = new ChunkLedger();
        ledger.Copied(null, K(10));
        var planned = Plan(ledger, K(20));
        Plan(ledger, K(30));

        // Planned chunks are not copied: only the sequential one may be claimed.
        var committed = ledger.Committed();
        Assert.Single(committed.Chunks);
        Assert.Equal(K(10), committed.Cursor);

        ledger.MarkCopied(planned.Id);
        committed = ledger.Committed();
        Assert.Equal(2, committed.Chunks.Count);
        Assert.Equal(K(20), committed.Cursor);
        Assert.False(committed.Done);
    }

    [Fact]
    public void Restore_from_uppers_chains_the_bounds_and_continues_after_the_last()
    {
        var ledger = new ChunkLedger();
        ledger.Copied(null, K(99)); // replaced by the checkpoint's list
        ledger.RestoreFromUppers([K(10), K(20)], copyDone: false);

        Assert.Equal(2, ledger.Count);
        Assert.Null(ledger[0].Lower);
        Assert.Equal(K(10), ledger[1].Lower);
        Assert.Equal(K(20), ledger.CopyCursor);
        Assert.False(ledger.CopyDone);

        var next = Plan(ledger, null);
        Assert.Equal(2, next.Id);
        Assert.Equal(K(20), ledger[2].Lower);
        ledger.MarkCopied(next.Id);
        Assert.True(ledger.CopyDone);
    }

    [Fact]
    public void Restore_of_a_finished_copy_plans_nothing()
    {
        var ledger = new ChunkLedger();
        ledger.Restore([new ChunkRange(null, K(10)), new ChunkRange(K(10), null)], null, copyDone: true);

        Assert.True(ledger.CopyDone);
        Assert.False(ledger.TryStartPlan(out _));
        Assert.Equal(2, ledger.Committed().Chunks.Count);
        Assert.True(ledger.Committed().Done);
    }

    [Fact]
    public async Task CopyPlannedAsync_copies_the_planned_range_and_then_marks_it_copied()
    {
        var ledger = new ChunkLedger();
        var chunk = Plan(ledger, null);
        ChunkRange? seen = null;

        var result = await ledger.CopyPlannedAsync(chunk, range =>
        {
            seen = range;
            Assert.False(ledger.CopyDone); // not before the copy committed
            return Task.FromResult(7L);
        });

        Assert.Equal(ledger[0], seen);
        Assert.Equal(7, result.Rows);
        Assert.True(result.Done);
        Assert.True(ledger.CopyDone);
    }

    [Fact]
    public async Task CopyPlannedAsync_that_fails_leaves_the_chunk_uncopied()
    {
        var ledger = new ChunkLedger();
        var chunk = Plan(ledger, null);

        await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.CopyPlannedAsync(chunk, _ => throw new InvalidOperationException("copy failed")));

        Assert.False(ledger.CopyDone);
        Assert.Empty(ledger.Committed().Chunks);
    }

    /// <summary>
    /// Property (seeded random runs): whatever the number of sequential chunks before the parallel
    /// copy and the order in which workers finish, the committed chunks are always the longest
    /// prefix of completed chunks, their bounds chain without gaps from the first key, the cursor
    /// is the upper bound of the last of them, and the copy is done exactly when every chunk is.
    /// </summary>
    [Fact]
    public void Committed_is_always_the_longest_completed_prefix_whatever_the_completion_order()
    {
        for (var seed = 0; seed < 300; seed++)
        {
            var random = new Random(seed);
            var ledger = new ChunkLedger();
            var sequential = random.Next(0, 4);
            var planned = random.Next(1, 12);
            var done = new HashSet<int>();
            for (var i = 0; i < sequential; i++)
            {
                ledger.Copied(ledger.CopyCursor, K((i + 1) * 10));
                done.Add(i);
            }

            var pending = new List<int>();
            for (var i = 0; i < planned; i++)
            {
                var last = i == planned - 1;
                pending.Add(Plan(ledger, last ? null : K((sequential + i + 1) * 10)).Id);
            }

            while (pending.Count > 0)
            {
                var pick = pending[random.Next(pending.Count)];
                pending.Remove(pick);
                ledger.MarkCopied(pick);
                done.Add(pick);

                var prefix = 0;
                while (done.Contains(prefix))
                {
                    prefix++;
                }

                var committed = ledger.Committed();
                Assert.Equal(prefix, committed.Chunks.Count);
                string[]? expectedLower = null;
                foreach (var chunk in committed.Chunks)
                {
                    Assert.Equal(expectedLower, chunk.Lower);
                    expectedLower = chunk.Upper;
                }

                Assert.Equal(prefix == 0 ? null : committed.Chunks[^1].Upper, committed.Cursor);
                Assert.Equal(committed.Cursor, ledger.CopyCursor);
                var all = prefix == sequential + planned;
                Assert.Equal(all, committed.Done);
                Assert.Equal(all, ledger.CopyDone);
            }
        }
    }
}
