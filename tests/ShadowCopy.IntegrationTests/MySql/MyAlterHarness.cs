using Microsoft.Extensions.Logging.Abstractions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.MySql;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>Runs the engine in-process against the local MariaDB.</summary>
internal static class MyAlterHarness
{
    public static AlterOptions Options(string table, string alter) => new()
    {
        Table = new TableName(MyServer.Database, table),
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

    public static async Task<AlterResult> RunAsync(AlterOptions options, CaptureMode capture, RecordingStatusSink? sink = null, string? user = null, string? password = null, RunServices? services = null, CancellationToken cancellationToken = default)
    {
        await using var backend = new MySqlAlterBackend(MyServer.Settings(user, password), options, capture, NullLogger.Instance);
        return await new AlterRunner(backend, options, (IStatusSink?)sink ?? NullStatusSink.Instance, NullLogger.Instance, services: services).RunAsync(cancellationToken);
    }
}
