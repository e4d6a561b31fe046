using ShadowCopy.Core.Schema;

namespace ShadowCopy.Lint.Migrate;

/// <summary>
/// The steps that are whole runs of their own: the online copy (<see cref="Engine.AlterRunner"/>)
/// and the backfill (<see cref="Backfill.BackfillRunner"/>), set up exactly as <c>alter</c> and
/// <c>backfill</c> set them up (the CLI implements this), reporting to the migration's journal.
/// </summary>
public interface IMigrationSteps
{
    Task<MigrationStepOutcome> OnlineCopyAsync(TableName table, string alter, bool resume, CancellationToken cancellationToken);

    /// <summary><paramref name="execute"/> false: the backfill's dry run (a sample batch, rolled back), for its estimate.</summary>
    Task<MigrationStepOutcome> BackfillAsync(TableName table, string set, string? where, bool execute, bool resume, CancellationToken cancellationToken);
}
