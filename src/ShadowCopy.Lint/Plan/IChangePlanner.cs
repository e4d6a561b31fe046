using ShadowCopy.Core.Schema;

namespace ShadowCopy.Lint.Plan;

/// <summary>A provider's way of asking its server what an ALTER costs, on a clone, never the live table.</summary>
public interface IChangePlanner
{
    Task<PlanEvidence> PlanAsync(TableName table, string alter, CancellationToken cancellationToken);
}
