using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Postgres;
using ShadowCopy.Postgres.Capture;

namespace ShadowCopy.IntegrationTests.Infrastructure;

/// <summary>Runs the engine in-process against the local PostgreSQL.</summary>
internal static class PgAlterHarness
{
    public static AlterOptions Options(string schema, string table, string alter) => new()
    {
        Table = new TableName(schema, table),
        Alter = alter,
        Execute = true,
        // Small chunks and a rate limit make the copy last long enough to overlap the writers.
        ChunkTime = TimeSpan.FromMilliseconds(50),
        InitialChunkSize = 200,
        MaxChunkSize = 2000,
        MaxRowsPerSecond = 15_000,
        CutOverLockTimeout = TimeSpan.FromSeconds(2),
        StatusInterval = TimeSpan.FromMilliseconds(200),
    };

    public static readonly PgCaptureOptions Logical = new() { Mode = "logical" };

    public static async Task<AlterResult> RunAsync(AlterOptions options, string? user = null, string? password = null, RecordingStatusSink? sink = null, PgCaptureOptions? capture = null, RunServices? services = null, NpgsqlConnectionStringBuilder? settings = null, CancellationToken cancellationToken = default)
    {
        await using var backend = new PgAlterBackend(settings ?? PgServer.Settings(user, password), options, NullLogger.Instance, capture);
        return await new AlterRunner(backend, options, (IStatusSink?)sink ?? NullStatusSink.Instance, NullLogger.Instance, services: services).RunAsync(cancellationToken);
    }
}
