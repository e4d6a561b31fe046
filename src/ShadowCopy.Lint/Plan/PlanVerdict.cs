namespace ShadowCopy.Lint.Plan;

public enum PlanVerdict
{
    /// <summary>Run the ALTER natively (the exact statement is given).</summary>
    Native,

    /// <summary>Use an online copy: shadowcopy alter.</summary>
    OnlineCopy,

    /// <summary>Neither is possible or safe; the reason says why.</summary>
    Refuse,
}
