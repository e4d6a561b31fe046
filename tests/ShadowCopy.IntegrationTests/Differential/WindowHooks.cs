using ShadowCopy.Core.Hooks;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// The runner awaits its hooks, so the on-row-copy-complete hook is a precise point: the copy is done
/// and catch-up has not started. The differential test writes its catch-up window there.
/// </summary>
internal sealed class WindowHooks(Func<Task> onRowCopyComplete) : IRunHooks
{
    public async Task<HookOutcome> RunAsync(string hook, HookContext context, CancellationToken cancellationToken)
    {
        if (hook == HookNames.RowCopyComplete)
        {
            await onRowCopyComplete();
        }

        return HookOutcome.None;
    }
}
