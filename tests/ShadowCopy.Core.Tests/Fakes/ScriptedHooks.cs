using ShadowCopy.Core.Hooks;

namespace ShadowCopy.Core.Tests.Fakes;

/// <summary>Records every hook call; <see cref="Outcome"/> decides each result (default: success).</summary>
internal sealed class ScriptedHooks : IRunHooks
{
    private readonly Lock _gate = new();
    private readonly List<(string Hook, HookContext Context)> _calls = [];

    public Func<string, int, HookOutcome>? Outcome { get; init; }

    public IReadOnlyList<(string Hook, HookContext Context)> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    public Task<HookOutcome> RunAsync(string hook, HookContext context, CancellationToken cancellationToken)
    {
        int count;
        lock (_gate)
        {
            _calls.Add((hook, context));
            count = _calls.Count(c => c.Hook == hook);
        }

        return Task.FromResult(Outcome?.Invoke(hook, count) ?? HookOutcome.None);
    }
}
