using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Throttling;

/// <summary>A throttle input. Returns a human reason while copying should pause, or null.</summary>
public interface IThrottler
{
    ValueTask<string?> CheckAsync(CancellationToken cancellationToken);
}
