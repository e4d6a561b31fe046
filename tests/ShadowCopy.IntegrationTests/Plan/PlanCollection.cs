namespace ShadowCopy.IntegrationTests.Plan;

/// <summary>Plan tests create and drop clones; one at a time keeps them from competing for the 2 cores and for locks.</summary>
[CollectionDefinition("plan", DisableParallelization = true)]
public sealed class PlanCollection;
