using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;

namespace ShadowCopy.Postgres;

/// <summary><c>shadowcopy cleanup</c>: removes what an interrupted run left, and only that.</summary>
public static class PgCleanup
{
    public static async Task<IReadOnlyList<string>> RunAsync(NpgsqlConnectionStringBuilder settings, TableName table, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        PgSession session;
        try
        {
            session = await PgSession.OpenAsync(settings, new SqlTranscript(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (PgConnectErrors.IsConnectFailure(error) && !cancellationToken.IsCancellationRequested)
        {
            throw PgConnectErrors.ToException(settings, error);
        }

        await using (session.ConfigureAwait(false))
        {
            var names = HelperObjectNames.For(table.Name, PgDialect.Instance.MaxIdentifierBytes);
            return await PgObjects.DropAllAsync(session, table, names, lockTimeout, 20, cancellationToken).ConfigureAwait(false);
        }
    }
}
