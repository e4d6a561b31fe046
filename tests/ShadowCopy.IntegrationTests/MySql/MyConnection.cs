using ShadowCopy.Core.Sql;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.IntegrationTests.MySql;

/// <summary>A test's own connection (a writer, a blocker): a MySqlSession with the server's default lock waits, not the run's.</summary>
internal sealed class MyConnection : IAsyncDisposable
{
    private readonly MySqlSession _session;

    private MyConnection(MySqlSession session) => _session = session;

    public uint ConnectionId => _session.ConnectionId;

    public static async Task<MyConnection> OpenAsync(MySqlSettings settings)
    {
        var session = await MySqlSession.OpenAsync(settings, new SqlTranscript { Enabled = false }, CancellationToken.None);
        try
        {
            // Application sessions: the server defaults (a year for metadata locks, 50 s for row locks,
            // the server's sql_mode without the run's NO_AUTO_VALUE_ON_ZERO).
            await session.ExecuteAsync("SET SESSION lock_wait_timeout = 31536000, SESSION innodb_lock_wait_timeout = 50, SESSION sql_mode = @@GLOBAL.sql_mode", CancellationToken.None);
            return new MyConnection(session);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    public Task<MySqlExecuteResult> ExecuteAsync(string sql, CancellationToken cancellationToken = default) => _session.ExecuteAsync(sql, cancellationToken);

    public Task<MySqlResultSet> QueryAsync(string sql, CancellationToken cancellationToken = default) => _session.QueryAsync(sql, cancellationToken);

    public ValueTask DisposeAsync() => _session.DisposeAsync();
}
