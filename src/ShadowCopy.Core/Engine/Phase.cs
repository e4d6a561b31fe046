namespace ShadowCopy.Core.Engine;

/// <summary>The run's phase. Changed only through <see cref="RunState.EnterPhase"/>, which logs it.</summary>
public enum Phase
{
    Starting,
    Preflight,
    CreatingShadow,
    InstallingCapture,
    Copying,
    CatchingUp,
    Verifying,
    Postponed,
    CuttingOver,
    CleaningUp,
    Done,
    Failed,
    Cancelled,
}
