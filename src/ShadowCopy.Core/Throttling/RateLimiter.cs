using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Throttling;

/// <summary>
/// Keeps the average copy rate at or below a limit. The wait is computed from the totals since
/// the copy started, so a fast burst is paid back instead of accumulating.
/// </summary>
public static class RateLimiter
{
    public static TimeSpan DelayFor(long totalRows, TimeSpan sinceStart, int rowsPerSecond)
    {
        if (rowsPerSecond <= 0)
        {
            return TimeSpan.Zero;
        }

        var earliest = TimeSpan.FromSeconds((double)totalRows / rowsPerSecond);
        var wait = earliest - sinceStart;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }
}
