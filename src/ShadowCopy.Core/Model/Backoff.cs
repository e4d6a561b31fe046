namespace ShadowCopy.Core.Model;

/// <summary>
/// The wait before retrying a lock that was not granted: exponential from <c>first</c>, capped,
/// then jittered by ±50 % so two retriers (or a retrier and its blocker) do not line up again.
/// One formula for every bounded lock retry (cut-over, verification lock, helper DDL).
/// </summary>
public static class Backoff
{
    public static TimeSpan Jittered(int attempt, TimeSpan first, TimeSpan cap)
    {
        // The exponent is clamped so large attempt counts (--cut-over-attempts up to 100) cannot
        // overflow; the cap is reached long before.
        var ms = Math.Min(cap.TotalMilliseconds, first.TotalMilliseconds * Math.Pow(2, Math.Clamp(attempt, 0, 20)));
        return TimeSpan.FromMilliseconds(ms * (0.5 + Random.Shared.NextDouble()));
    }
}
