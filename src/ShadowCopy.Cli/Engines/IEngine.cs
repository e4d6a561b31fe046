using Microsoft.Extensions.Logging;
using ShadowCopy.Core.Backfill;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Lint.Plan;
using ShadowCopy.Core.Revert;
using ShadowCopy.Core.Schema;
using ShadowCopy.Lint.Migrate;

namespace ShadowCopy.Cli.Engines;

/// <summary>
/// Everything a command needs from one database engine, behind the DSN's scheme (see
/// <see cref="EngineRegistry"/>). Commands ask this and never see a provider's or a driver's types.
/// </summary>
internal interface IEngine
{
    /// <summary>"postgres" or "mysql", as the journal, hooks and status name the engine.</summary>
    string Name { get; }

    /// <summary>The capture mode when --capture is not given.</summary>
    string DefaultCapture { get; }

    /// <summary>The backfill's --batch-time when none is given: how long a batch may hold the row locks writers can queue behind.</summary>
    TimeSpan DefaultBatchTime { get; }

    /// <summary>A --table value in this engine's terms (PostgreSQL folds unquoted names; MySQL defaults to the DSN's database).</summary>
    TableName ParseTable(string text, string dsn);

    IAlterBackend CreateAlterBackend(string dsn, AlterOptions options, ILogger logger, EngineCaptureOptions capture);

    IBackfillBackend CreateBackfillBackend(string dsn, BackfillOptions options, ILogger logger);

    /// <summary><c>revert</c> and <c>finish</c> of a change made with <c>--revertible</c> (ADR 0031).</summary>
    IRevertBackend CreateRevertBackend(string dsn, TableName table);

    IChangePlanner CreatePlanner(string dsn);

    /// <summary><c>shadowcopy migrate</c>: the server-side steps of a migration file (ADR 0032).</summary>
    IMigrationBackend CreateMigrationBackend(string dsn);

    /// <summary><c>shadowcopy cleanup</c>: removes what a stopped run left; returns what it removed.</summary>
    Task<IReadOnlyList<string>> CleanupAsync(string dsn, TableName table, TimeSpan lockTimeout, CancellationToken cancellationToken);

    /// <summary><c>shadowcopy cleanup --migrations</c>: removes stopped migrations' checkpoints; returns what it removed.</summary>
    Task<IReadOnlyList<string>> CleanupMigrationsAsync(string dsn, CancellationToken cancellationToken);

    /// <summary>A driver's or the network's failure, as one sentence with exit 3; null for anything else.</summary>
    ShadowCopyException? TranslateFailure(Exception error, string doing);
}

/// <summary>The capture flags of <c>alter</c> (--capture as given, null for the engine's default), engine-neutral; each engine takes what applies to it.</summary>
internal sealed record EngineCaptureOptions(string? Mode, long MaxSlotRetainedWalBytes, bool AllowReplicaIdentityFull, TimeSpan AutovacuumWait);
