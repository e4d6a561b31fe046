using ShadowCopy.Core.Sql;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.Benchmarks;

/// <summary>Opens the benchmark's MySqlSession (the run's session settings) and returns its execute function.</summary>
internal static class ClientStatements
{
    public static async Task<Func<string, Task>> OpenAsync(Action<Func<ValueTask>> dispose)
    {
        var settings = LocalMariaDb.Settings();
        var session = await MySqlSession.OpenAsync(settings, new SqlTranscript { Enabled = false }, CancellationToken.None);
        dispose(session.DisposeAsync);
        return sql => session.ExecuteAsync(sql, CancellationToken.None);
    }
}
