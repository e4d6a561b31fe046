using ShadowCopy.Lint.Plan;
using ShadowCopy.Core.Schema;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Plan;

/// <summary><see cref="IChangePlanner"/> for MySQL/MariaDB: <see cref="MySqlPlanner"/> with fixed connection settings.</summary>
public sealed class MySqlChangePlanner(MySqlSettings settings) : IChangePlanner
{
    public Task<PlanEvidence> PlanAsync(TableName table, string alter, CancellationToken cancellationToken) =>
        MySqlPlanner.PlanAsync(settings, table, alter, cancellationToken);
}
