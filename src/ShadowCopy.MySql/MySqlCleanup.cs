using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary><c>shadowcopy cleanup</c> for MySQL/MariaDB: removes what an interrupted run left, and only that.</summary>
public static class MySqlCleanup
{
    public static async Task<IReadOnlyList<string>> RunAsync(MySqlSettings settings, TableName table, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        MySqlSession session;
        try
        {
            session = await MySqlSession.OpenAsync(settings, new SqlTranscript(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (MySqlConnectErrors.IsConnectFailure(error))
        {
            throw MySqlConnectErrors.ToException(settings, error);
        }

        await using (session.ConfigureAwait(false))
        {
            var names = HelperObjectNames.For(table.Name, MySqlDialect.Instance.MaxIdentifierBytes);
            return await MySqlObjects.DropAllAsync(session, table, names, lockTimeout, 20, cancellationToken).ConfigureAwait(false);
        }
    }
}
