namespace ShadowCopy.Core.Copy;

/// <summary>
/// Adapts the chunk size so one chunk takes about the target time. Growth is damped (at most 2×
/// per chunk, at least ½×) so one fast or slow outlier does not swing the next chunk wildly, and
/// a failed chunk (lock wait, deadlock) halves it.
/// </summary>
public sealed class AdaptiveChunkSizer
{
    private readonly int _min;
    private readonly int _max;
    private double _size;

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
        var next = Math.Clamp(ideal, _size * 0.5, _size * 2.0);
        _size = Math.Clamp(next, _min, _max);
        return Current;
    }

    public int OnFailure()
    {
        _size = Math.Max(_min, _size / 2);
        return Current;
    }

    public void Set(int size) => _size = Math.Clamp(size, _min, _max);
}
