namespace ShadowCopy.Core.Model;

/// <summary>The run's phase. Changed only through <see cref="RunState.EnterPhase"/>, which logs it.</summary>
public enum Phase
{
    Starting,
    Preflight,
    CreatingShadow,
    InstallingCapture,
    Copying,

    /// <summary>backfill: key-range UPDATE batches.</summary>
    Backfilling,
    CatchingUp,
    Verifying,
    Postponed,
    CuttingOver,
    CleaningUp,
    Done,
    Failed,
    Cancelled,
}
