namespace ShadowCopy.Core.Copy;

/// <summary>
/// Adapts the chunk size so one chunk takes about the target time. Growth is damped (at most 2×
/// per chunk, at least ½×) so one fast or slow outlier does not swing the next chunk wildly, and
/// a failed chunk (lock wait, deadlock) halves it.
/// Ramp-up: until one chunk has taken a quarter of the target, a chunk that took less than that may
/// grow the next up to 8×. Such a chunk is mostly round trip and commit, so the per-row time it
/// measures overstates a row's cost and the ideal it suggests is already an underestimate; the 2×
/// damping is for steady state (ADR 0035: it cost the copy a string of tiny chunks at the start).
/// </summary>
public sealed class AdaptiveChunkSizer
{
    private readonly int _min;
    private readonly int _max;
    private double _size;
    private bool _ramping = true;

    /// <summary>Growth cap per chunk during the ramp-up.</summary>
    public const double RampGrowth = 8.0;

    public AdaptiveChunkSizer(int initial, int min, int max, TimeSpan target)
    {
        if (min < 1 || max < min)
        {
            throw new ArgumentOutOfRangeException(nameof(min), "chunk size bounds must satisfy 1 <= min <= max");
        }

        _min = min;
        _max = max;
        _size = Math.Clamp(initial, min, max);
        Target = target;
    }

    public TimeSpan Target { get; set; }

    public int Current => (int)_size;

    /// <summary>Feeds back one chunk's time and row count; returns the next size.</summary>
    public int Observe(long rows, TimeSpan elapsed)
    {
        if (rows <= 0 || elapsed <= TimeSpan.Zero)
        {
            return Current;
        }

        // Scale on the rows actually read: the last chunk of a range may be short.
        var perRow = elapsed.TotalSeconds / rows;
        var ideal = Target.TotalSeconds / perRow;
        var quick = elapsed < Target / 4;
        var growth = _ramping && quick ? RampGrowth : 2.0;
        _ramping &= quick;
        var next = Math.Clamp(ideal, _size * 0.5, _size * growth);
        _size = Math.Clamp(next, _min, _max);
        return Current;
    }

    public int OnFailure()
    {
        _ramping = false;
        _size = Math.Max(_min, _size / 2);
        return Current;
    }

    public void Set(int size)
    {
        _ramping = false;
        _size = Math.Clamp(size, _min, _max);
    }
}
