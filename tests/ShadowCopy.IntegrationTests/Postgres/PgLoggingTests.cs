using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.IntegrationTests.Infrastructure;
using ShadowCopy.Postgres;

namespace ShadowCopy.IntegrationTests.Postgres;

/// <summary>The PostgreSQL provider writes to the logger it is given (it used to ignore it), in its own event-id range.</summary>
[Collection("postgres")]
public sealed class PgLoggingTests
{
    [Fact]
    public async Task Alter_logsCaptureAndSwapInTheProviderRange_andNoPassword()
    {
        await using var schema = await PgSchemaScope.CreateAsync();
        var table = schema.Table("t");
        await PgServer.ExecAsync($"CREATE TABLE {table} (id bigint PRIMARY KEY, v text); INSERT INTO {table} SELECT g, md5(g::text) FROM generate_series(1, 500) g;");
        var logger = new RecordingLogger();
        var options = PgAlterHarness.Options(schema.Name, "t", "ADD COLUMN w integer");
        var settings = PgServer.Settings();

        await using (var backend = new PgAlterBackend(settings, options, logger))
        {
            var result = await new AlterRunner(backend, options, NullStatusSink.Instance, logger).RunAsync(CancellationToken.None);
            Assert.True(result.ExitCode == ExitCodes.Success, result.Message);
        }

        var provider = logger.Entries.Where(e => e.EventId is >= 4000 and < 5000).ToList();
        Assert.Contains(provider, e => e.EventId == 4000 && e.Message.Contains("trigger", StringComparison.Ordinal));
        Assert.Contains(provider, e => e.EventId == 4004 && e.Message.Contains(options.Table.ToString(), StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Entries, e => e.Message.Contains(settings.Password!, StringComparison.Ordinal));
    }
}
