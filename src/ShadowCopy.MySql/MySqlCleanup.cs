using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
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
        var session = await OpenAsync(settings, cancellationToken).ConfigureAwait(false);

        await using (session.ConfigureAwait(false))
        {
            var names = HelperObjectNames.For(table.Name, MySqlDialect.Instance.MaxIdentifierBytes);
            var dropped = new List<string>(await MySqlObjects.DropAllAsync(session, table, names, lockTimeout, 20, cancellationToken).ConfigureAwait(false));

            // A revertible change's reverse capture (ADR 0031): the table stops being revertible; the old table stays.
            dropped.AddRange(await Revert.MySqlRevertBackend.DropReverseCaptureAsync(session, table, lockTimeout, cancellationToken).ConfigureAwait(false));

            // A stopped backfill's checkpoint (only here: an alter's own cleanup must not end a paused backfill).
            var backfill = HelperObjectNames.Derive(table.Name, "bf_state", MySqlDialect.Instance.MaxIdentifierBytes);
            if ((await MySqlObjects.HelperTablesAsync(session, table.Schema, [backfill], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(backfill))
            {
                await session.ExecuteAsync($"DROP TABLE IF EXISTS {MySqlStatements.Q(table.Schema, backfill)}", cancellationToken).ConfigureAwait(false);
                dropped.Add($"table {backfill} (backfill checkpoint)");
            }

            return dropped;
        }
    }

    /// <summary>The checkpoint table of stopped migrations in the DSN's database (<c>shadowcopy cleanup --migrations</c>).</summary>
    public static async Task<IReadOnlyList<string>> MigrationsAsync(MySqlSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var session = await OpenAsync(settings, cancellationToken).ConfigureAwait(false);

        await using (session.ConfigureAwait(false))
        {
            var database = await session.ScalarStringAsync("SELECT DATABASE()", cancellationToken).ConfigureAwait(false)
                ?? throw new ShadowCopyException("The DSN names no database (mysql://user@host/DATABASE).", ExitCodes.UsageError);
            return await Migrate.MySqlMigrationBackend.CleanupAsync(session, database, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<MySqlSession> OpenAsync(MySqlSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            return await MySqlSession.OpenAsync(settings, new SqlTranscript(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (MySqlConnectErrors.IsConnectFailure(error))
        {
            throw MySqlConnectErrors.ToException(settings, error);
        }
    }
}
