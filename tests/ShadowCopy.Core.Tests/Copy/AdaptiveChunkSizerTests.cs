using ShadowCopy.Core.Copy;

namespace ShadowCopy.Core.Tests.Copy;

/// <summary>Times are powers of two of a second so the arithmetic is exact.</summary>
public sealed class AdaptiveChunkSizerTests
{
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    [Fact]
    public void Observe_fast_chunks_grow_at_most_2x_per_step_until_the_target()
    {
        var sizer = new AdaptiveChunkSizer(256, 1, 1_000_000, OneSecond);

        // 1/1024 s per row: the ideal size for one second is 1024 rows; the first chunk takes a
        // quarter of the target, so there is no ramp-up.
        var sizes = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            sizes.Add(sizer.Observe(sizer.Current, TimeSpan.FromSeconds(sizer.Current / 1024.0)));
        }

        Assert.Equal([512, 1024, 1024, 1024, 1024], sizes);
    }

    [Fact]
    public void Observe_ramp_up_grows_up_to_8x_while_chunks_take_under_a_quarter_of_the_target()
    {
        var sizer = new AdaptiveChunkSizer(64, 1, 1_000_000, OneSecond);

        // 1/65536 s per row: ideal 65536 rows. 64 rows (1/1024 s) → 512 (1/128 s) → 4096 (1/16 s)
        // → 32768 (1/2 s, not quick: the ramp ends) → 65536 (2×, the ideal).
        var sizes = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            sizes.Add(sizer.Observe(sizer.Current, TimeSpan.FromSeconds(sizer.Current / 65536.0)));
        }

        Assert.Equal([512, 4096, 32768, 65536, 65536], sizes);
    }

    [Fact]
    public void Observe_after_the_ramp_a_quick_chunk_grows_only_2x()
    {
        var sizer = new AdaptiveChunkSizer(1024, 1, 1_000_000, OneSecond);
        sizer.Observe(1024, TimeSpan.FromSeconds(0.5));

        // Now 2048; a chunk of it at 1/65536 s per row would suggest 32×.
        Assert.Equal(4096, sizer.Observe(2048, TimeSpan.FromSeconds(2048 / 65536.0)));
    }

    [Fact]
    public void Observe_a_failure_or_an_operator_size_ends_the_ramp()
    {
        var failed = new AdaptiveChunkSizer(1024, 1, 1_000_000, OneSecond);
        failed.OnFailure();
        Assert.Equal(1024, failed.Observe(512, TimeSpan.FromSeconds(512 / 65536.0)));

        var set = new AdaptiveChunkSizer(1024, 1, 1_000_000, OneSecond);
        set.Set(512);
        Assert.Equal(1024, set.Observe(512, TimeSpan.FromSeconds(512 / 65536.0)));
    }

    [Fact]
    public void Observe_slow_chunk_shrinks_at_most_to_half()
    {
        var sizer = new AdaptiveChunkSizer(1024, 1, 1_000_000, OneSecond);

        Assert.Equal(512, sizer.Observe(1024, TimeSpan.FromSeconds(64)));
        Assert.Equal(256, sizer.Observe(512, TimeSpan.FromSeconds(64)));
    }

    [Fact]
    public void Observe_within_the_damping_band_jumps_straight_to_the_ideal()
    {
        var sizer = new AdaptiveChunkSizer(1024, 1, 1_000_000, OneSecond);

        Assert.Equal(1536, sizer.Observe(1024, TimeSpan.FromSeconds(1024.0 / 1536)));
    }

    [Fact]
    public void Observe_uses_the_rows_actually_copied_not_the_requested_size()
    {
        var sizer = new AdaptiveChunkSizer(1024, 1, 1_000_000, OneSecond);

        // A short last chunk: 64 rows in 1/16 s is still 1024 rows per second.
        Assert.Equal(1024, sizer.Observe(64, TimeSpan.FromSeconds(0.0625)));
    }

    [Fact]
    public void Observe_never_exceeds_max_or_drops_below_min()
    {
        var sizer = new AdaptiveChunkSizer(100, 50, 300, OneSecond);
        for (var i = 0; i < 10; i++)
        {
            sizer.Observe(sizer.Current, TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(300, sizer.Current);
        for (var i = 0; i < 10; i++)
        {
            sizer.Observe(sizer.Current, TimeSpan.FromSeconds(100));
        }

        Assert.Equal(50, sizer.Current);
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(-5, 1000)]
    [InlineData(100, 0)]
    [InlineData(100, -1)]
    public void Observe_zero_rows_or_no_elapsed_time_is_ignored(long rows, int elapsedMs)
    {
        var sizer = new AdaptiveChunkSizer(1000, 1, 1_000_000, OneSecond);

        Assert.Equal(1000, sizer.Observe(rows, TimeSpan.FromMilliseconds(elapsedMs)));
        Assert.Equal(1000, sizer.Current);
    }

    [Fact]
    public void OnFailure_halves_down_to_the_minimum()
    {
        var sizer = new AdaptiveChunkSizer(1000, 300, 5000, OneSecond);

        Assert.Equal(500, sizer.OnFailure());
        Assert.Equal(300, sizer.OnFailure());
        Assert.Equal(300, sizer.OnFailure());
    }

    [Theory]
    [InlineData(5, 10, 100, 10)]
    [InlineData(500, 10, 100, 100)]
    [InlineData(50, 10, 100, 50)]
    public void Constructor_initial_size_is_clamped_to_the_bounds(int initial, int min, int max, int expected)
    {
        Assert.Equal(expected, new AdaptiveChunkSizer(initial, min, max, OneSecond).Current);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, 5)]
    public void Constructor_invalid_bounds_throw(int min, int max)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdaptiveChunkSizer(10, min, max, OneSecond));
    }

    [Fact]
    public void Set_is_clamped_to_the_bounds()
    {
        var sizer = new AdaptiveChunkSizer(100, 10, 1000, OneSecond);

        sizer.Set(5000);
        Assert.Equal(1000, sizer.Current);
        sizer.Set(1);
        Assert.Equal(10, sizer.Current);
    }
}
