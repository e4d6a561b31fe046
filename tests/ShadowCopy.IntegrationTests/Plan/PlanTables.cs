namespace ShadowCopy.IntegrationTests.Plan;

internal static class PlanTables
{
    /// <summary>Per-test table names, so a failed run never collides with the next.</summary>
    public static string UniqueName() => "plan_" + Guid.NewGuid().ToString("N")[..12];
}
