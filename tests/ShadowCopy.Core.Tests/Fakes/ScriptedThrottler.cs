using ShadowCopy.Core.Model;
using ShadowCopy.Core.Throttling;

namespace ShadowCopy.Core.Tests.Fakes;

/// <summary>Asks to throttle for the first <paramref name="throttledChecks"/> checks, then lets the copy run.</summary>
internal sealed class ScriptedThrottler(int throttledChecks, string reason) : IThrottler
{
    public int Checks { get; private set; }

    public ValueTask<string?> CheckAsync(CancellationToken cancellationToken)
    {
        Checks++;
        return ValueTask.FromResult(Checks <= throttledChecks ? reason : null);
    }
}
