using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Tests.Throttling;

public sealed class RateLimiterTests
{
    [Theory]
    [InlineData(1000, 0, 100, 10_000)]
    [InlineData(1000, 4_000, 100, 6_000)]
    [InlineData(1000, 10_000, 100, 0)]
    [InlineData(1000, 60_000, 100, 0)]
    [InlineData(0, 0, 100, 0)]
    [InlineData(1000, 0, 0, 0)]
    [InlineData(1000, 0, -5, 0)]
    public void DelayFor_waits_until_the_average_rate_is_at_the_limit(long rows, int elapsedMs, int limit, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RateLimiter.DelayFor(rows, TimeSpan.FromMilliseconds(elapsedMs), limit));
    }
}
