namespace ShadowCopy.Core.Model;

/// <summary>
/// What the phase loops of a run (the copy schedulers, the verification loop, the cut-over loop) ask
/// of the run around them: the captured changes applied between units of work, the throttle and the
/// latency guard's pacing, the periodic tick (status, checkpoint, on-status hook), messages and journal
/// events. The <c>AlterRunner</c> implements it; the phases depend on it, never on the runner.
/// </summary>
public interface IRunLoop
{
    /// <summary>How long a loop waits when it has nothing to do (throttled, idle, postponed).</summary>
    static TimeSpan IdlePoll { get; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Time since the run started.</summary>
    TimeSpan Elapsed { get; }

    /// <summary>A line for the operator (the status sink).</summary>
    void Message(string text);

    /// <summary>A journal event (kinds in <c>RunEventKinds</c>).</summary>
    void Emit(string kind, params (string Key, object? Value)[] data);

    /// <summary>Updates the throttle state; true while copying must pause.</summary>
    Task<bool> ThrottleAsync(CancellationToken cancellationToken);

    /// <summary>Applies captured changes until none are left or <paramref name="budget"/> is spent.</summary>
    Task ApplyForAsync(TimeSpan budget, CancellationToken cancellationToken);

    /// <summary>Applies captured changes until at most <paramref name="threshold"/> are left.</summary>
    Task CatchUpAsync(long threshold, CancellationToken cancellationToken);

    /// <summary>The latency guard's pause after one unit of work that took <paramref name="work"/>.</summary>
    Task PaceAsync(TimeSpan work, CancellationToken cancellationToken);

    /// <summary>The periodic work of every loop: status, checkpoint, on-status hook.</summary>
    Task TickAsync(CancellationToken cancellationToken);
}
