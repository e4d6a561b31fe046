using ShadowCopy.Lint;
using ShadowCopy.Lint.Plan;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Lint.Migrate;

/// <summary>One engine's part of <c>shadowcopy migrate</c>: the statements it runs itself and the checkpoint.</summary>
public interface IMigrationBackend : IAsyncDisposable
{
    /// <summary>Connects and reads the server's engine and version (the lint target).</summary>
    Task<LintTarget> ConnectAsync(CancellationToken cancellationToken);

    /// <summary>The plan machinery of <c>shadowcopy plan</c> for this server.</summary>
    IChangePlanner Planner { get; }

    /// <summary>Where an unqualified table is: the session's current schema (PostgreSQL) or the DSN's database (MySQL).</summary>
    string DefaultSchema { get; }

    /// <summary>The catalog's row estimate, or null when the table does not exist (yet).</summary>
    Task<long?> EstimatedRowsAsync(TableName table, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="sql"/> in its own transaction with a bounded lock wait, retried on lock timeouts.</summary>
    Task RunNativeAsync(string sql, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken);

    /// <summary>Builds or drops an index online (PostgreSQL CONCURRENTLY; MySQL/MariaDB ALGORITHM=INPLACE, LOCK=NONE); a failed build leaves no index behind.</summary>
    Task RunIndexAsync(MigrationStep step, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken);

    Task<MigrationCheckpoint?> ReadCheckpointAsync(string id, CancellationToken cancellationToken);

    /// <summary>Creates the checkpoint table when missing (marked, so <c>shadowcopy cleanup --migrations</c> finds it) and stores the row.</summary>
    Task WriteCheckpointAsync(MigrationCheckpoint checkpoint, CancellationToken cancellationToken);

    /// <summary>Removes the row, and the table when no other migration has one.</summary>
    Task DropCheckpointAsync(string id, CancellationToken cancellationToken);
}
