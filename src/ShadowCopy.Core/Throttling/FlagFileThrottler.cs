using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Throttling;

/// <summary>Throttles while a file exists (gh-ost's --throttle-flag-file).</summary>
public sealed class FlagFileThrottler(string path) : IThrottler
{
    public ValueTask<string?> CheckAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(File.Exists(path) ? $"flag file {path} exists" : null);
}
