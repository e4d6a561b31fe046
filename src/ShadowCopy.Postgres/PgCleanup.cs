using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres;

/// <summary><c>shadowcopy cleanup</c>: removes what an interrupted run left, and only that.</summary>
public static class PgCleanup
{
    public static async Task<IReadOnlyList<string>> RunAsync(NpgsqlConnectionStringBuilder settings, TableName table, TimeSpan lockTimeout, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(settings, cancellationToken).ConfigureAwait(false);

        await using (session.ConfigureAwait(false))
        {
            var names = HelperObjectNames.For(table.Name, PgDialect.Instance.MaxIdentifierBytes);
            var dropped = new List<string>(await PgObjects.DropAllAsync(session, table, names, lockTimeout, 20, keepState: false, cancellationToken).ConfigureAwait(false));

            // A revertible change's reverse capture (ADR 0031): the table stops being revertible; the old table stays.
            dropped.AddRange(await Revert.PgRevertBackend.DropReverseCaptureAsync(session, table, lockTimeout, cancellationToken).ConfigureAwait(false));

            // A stopped backfill's checkpoint (only here: an alter's own cleanup must not end a paused backfill).
            var backfill = HelperObjectNames.Derive(table.Name, "bf_state", PgDialect.Instance.MaxIdentifierBytes);
            var found = await session.QueryAsync(PgObjects.RelationSql, [table.Schema, new[] { backfill }], cancellationToken).ConfigureAwait(false);
            if (found.Any(r => ((string)r[1]!).StartsWith(PgObjects.Marker, StringComparison.Ordinal)))
            {
                await session.ExecuteAsync($"DROP TABLE IF EXISTS {PgDialect.Instance.Qualified(table.Schema, backfill)}", null, cancellationToken).ConfigureAwait(false);
                dropped.Add($"table {backfill} (backfill checkpoint)");
            }

            return dropped;
        }
    }

    /// <summary>The checkpoint table of stopped migrations (<c>shadowcopy cleanup --migrations</c>).</summary>
    public static async Task<IReadOnlyList<string>> MigrationsAsync(NpgsqlConnectionStringBuilder settings, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(settings, cancellationToken).ConfigureAwait(false);

        await using (session.ConfigureAwait(false))
        {
            return await Migrate.PgMigrationBackend.CleanupAsync(session, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<PgSession> OpenAsync(NpgsqlConnectionStringBuilder settings, CancellationToken cancellationToken)
    {
        try
        {
            return await PgSession.OpenAsync(settings, new SqlTranscript(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (PgConnectErrors.IsConnectFailure(error) && !cancellationToken.IsCancellationRequested)
        {
            throw PgConnectErrors.ToException(settings, error);
        }
    }
}
