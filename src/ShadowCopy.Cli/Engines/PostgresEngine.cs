using Microsoft.Extensions.Logging;
using Npgsql;
using ShadowCopy.Core.Backfill;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Lint.Plan;
using ShadowCopy.Core.Revert;
using ShadowCopy.Core.Schema;
using ShadowCopy.Lint.Migrate;
using ShadowCopy.Postgres.Migrate;
using ShadowCopy.Postgres.Revert;
using ShadowCopy.Postgres;
using ShadowCopy.Postgres.Backfill;
using ShadowCopy.Postgres.Capture;
using ShadowCopy.Postgres.Plan;

namespace ShadowCopy.Cli.Engines;

/// <summary>postgres:// and postgresql:// DSNs: the PostgreSQL provider.</summary>
internal sealed class PostgresEngine : IEngine
{
    public static PostgresEngine Instance { get; } = new();

    public string Name => "postgres";

    public string DefaultCapture => "trigger";

    /// <summary>200 ms: the load's p99 while backfilling stayed at or below the copy's (docs/benchmarks.md, issue 19).</summary>
    public TimeSpan DefaultBatchTime => TimeSpan.FromMilliseconds(200);

    public TableName ParseTable(string text, string dsn) => TableName.Parse(text, "public");

    public IAlterBackend CreateAlterBackend(string dsn, AlterOptions options, ILogger logger, EngineCaptureOptions capture)
    {
        var mode = capture.Mode ?? DefaultCapture;
        if (mode is not ("trigger" or "logical"))
        {
            throw new ShadowCopyException($"--capture {mode} is not available for PostgreSQL; use trigger or logical.", ExitCodes.UsageError);
        }

        return new PgAlterBackend(PgDsn.Parse(dsn), options, logger, new PgCaptureOptions
        {
            Mode = mode,
            MaxSlotRetainedWalBytes = capture.MaxSlotRetainedWalBytes,
            AllowReplicaIdentityFull = capture.AllowReplicaIdentityFull,
            AutovacuumWait = capture.AutovacuumWait,
        });
    }

    public IBackfillBackend CreateBackfillBackend(string dsn, BackfillOptions options, ILogger logger) =>
        new PgBackfillBackend(PgDsn.Parse(dsn), options, logger);

    public IRevertBackend CreateRevertBackend(string dsn, TableName table) => new PgRevertBackend(PgDsn.Parse(dsn), table);

    public IMigrationBackend CreateMigrationBackend(string dsn) => new PgMigrationBackend(PgDsn.Parse(dsn));

    public IChangePlanner CreatePlanner(string dsn) => new PgChangePlanner(PgDsn.Parse(dsn));

    public Task<IReadOnlyList<string>> CleanupAsync(string dsn, TableName table, TimeSpan lockTimeout, CancellationToken cancellationToken) =>
        PgCleanup.RunAsync(PgDsn.Parse(dsn), table, lockTimeout, cancellationToken);

    public Task<IReadOnlyList<string>> CleanupMigrationsAsync(string dsn, CancellationToken cancellationToken) =>
        PgCleanup.MigrationsAsync(PgDsn.Parse(dsn), cancellationToken);

    public ShadowCopyException? TranslateFailure(Exception error, string doing) =>
        error is NpgsqlException or System.Net.Sockets.SocketException
            ? new ShadowCopyException($"{doing}: {error.Message}", ExitCodes.ConnectionFailed, error)
            : null;
}
