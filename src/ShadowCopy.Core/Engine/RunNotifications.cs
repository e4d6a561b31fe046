using ShadowCopy.Core.Hooks;
using ShadowCopy.Core.Journal;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Core.Engine;

/// <summary>
/// The journal and the hooks of a run (alter or backfill): neither may take the run down, and a
/// failure of either is said on the status sink.
/// </summary>
internal static class RunNotifications
{
    public static void Emit(IRunObserver? observer, IStatusSink sink, string kind, (string Key, object? Value)[] data)
    {
        if (observer is null)
        {
            return;
        }

        try
        {
            observer.OnEvent(RunEvent.Create(kind, data));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // The journal's writer reports its own failures; the run goes on.
            sink.OnMessage($"journal: {error.Message}");
        }
    }

    /// <summary>Runs a hook; an exception counts as a failed hook, said on the sink.</summary>
    public static async Task<HookOutcome> RunHookAsync(IRunHooks hooks, string hook, HookContext context, IStatusSink sink, CancellationToken cancellationToken)
    {
        HookOutcome outcome;
        try
        {
            outcome = await hooks.RunAsync(hook, context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            outcome = new HookOutcome(false, error.Message);
        }

        if (!outcome.Succeeded)
        {
            sink.OnMessage($"hook {hook} failed: {outcome.Failure}");
        }

        return outcome;
    }
}
