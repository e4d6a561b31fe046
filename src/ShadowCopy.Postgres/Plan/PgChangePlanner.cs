using Npgsql;
using ShadowCopy.Lint.Plan;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Postgres.Plan;

/// <summary><see cref="IChangePlanner"/> for PostgreSQL: <see cref="PgPlanner"/> with fixed connection settings.</summary>
public sealed class PgChangePlanner(NpgsqlConnectionStringBuilder settings) : IChangePlanner
{
    public Task<PlanEvidence> PlanAsync(TableName table, string alter, CancellationToken cancellationToken) =>
        PgPlanner.PlanAsync(settings, table, alter, cancellationToken);
}
