using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Tests.Engine;

public sealed class BackoffTests
{
    [Theory]
    [InlineData(1, 250, 10_000, 500)]
    [InlineData(3, 250, 10_000, 2_000)]
    [InlineData(6, 250, 10_000, 10_000)]
    [InlineData(24, 250, 5_000, 5_000)]
    [InlineData(100, 200, 5_000, 5_000)]
    public void Jittered_is_exponential_capped_and_within_half_either_side(int attempt, int firstMs, int capMs, int centreMs)
    {
        for (var i = 0; i < 200; i++)
        {
            var delay = Backoff.Jittered(attempt, TimeSpan.FromMilliseconds(firstMs), TimeSpan.FromMilliseconds(capMs));

            Assert.InRange(delay.TotalMilliseconds, centreMs * 0.5, centreMs * 1.5);
        }
    }
}
