using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Tests.Throttling;

public sealed class FlagFileThrottlerTests
{
    [Fact]
    public async Task CheckAsync_throttles_exactly_while_the_file_exists()
    {
        var path = Path.Combine(Path.GetTempPath(), $"shadowcopy-flag-{Guid.NewGuid():N}");
        var throttler = new FlagFileThrottler(path);
        try
        {
            Assert.Null(await throttler.CheckAsync(CancellationToken.None));

            await File.WriteAllTextAsync(path, string.Empty);
            var reason = await throttler.CheckAsync(CancellationToken.None);
            Assert.NotNull(reason);
            Assert.Contains(path, reason, StringComparison.Ordinal);

            File.Delete(path);
            Assert.Null(await throttler.CheckAsync(CancellationToken.None));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
