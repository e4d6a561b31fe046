using ShadowCopy.Core.Backfill;
using ShadowCopy.MySql.State;

namespace ShadowCopy.MySql.Backfill;

/// <summary>
/// The backfill's checkpoint table on MySQL/MariaDB: one InnoDB row, so that each batch's checkpoint update
/// commits with its UPDATE; the cursor is stored as the copy's checkpoint stores chunk bounds
/// (<see cref="MySqlCheckpoint.WriteUppers"/>), the skipped keys as JSON text.
/// </summary>
internal sealed class MySqlBackfillCheckpoint(MySqlSession session, string state, BackfillOptions options) : IBackfillCheckpointStore
{
    public async Task CreateAsync(CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            $"CREATE TABLE IF NOT EXISTS {state} (id TINYINT NOT NULL PRIMARY KEY, set_text LONGTEXT NOT NULL, where_text LONGTEXT NULL, key_columns LONGTEXT NOT NULL, "
            + "upper_bound LONGTEXT NULL, batches BIGINT NOT NULL, rows_scanned BIGINT NOT NULL, rows_updated BIGINT NOT NULL, done TINYINT NOT NULL, updated_at TIMESTAMP(6) NOT NULL, "
            + "skipped LONGTEXT NOT NULL DEFAULT '[]') ENGINE=InnoDB "
            + $"COMMENT={session.Literal("shadowcopy: backfill checkpoint of " + options.Table)}",
            cancellationToken).ConfigureAwait(false);

    public async Task ResetAsync(string keyColumns, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            $"REPLACE INTO {state} VALUES (1, {session.Literal(options.Set)}, {(options.Where is null ? "NULL" : session.Literal(options.Where))}, {session.Literal(keyColumns)}, NULL, 0, 0, 0, 0, UTC_TIMESTAMP(6), '[]')",
            cancellationToken).ConfigureAwait(false);

    public async Task<BackfillCheckpoint?> LoadAsync(CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync($"SELECT set_text, where_text, key_columns, upper_bound, batches, rows_scanned, rows_updated, done, skipped FROM {state} WHERE id = 1", cancellationToken).ConfigureAwait(false);
        if (rows.Rows.Count == 0)
        {
            return null;
        }

        var r = rows.Rows[0];
        return new BackfillCheckpoint(
            r.GetString(0),
            r.IsNull(1) ? null : r.GetString(1),
            r.GetString(2),
            r.IsNull(3) ? null : MySqlCheckpoint.ReadUppers(r.GetString(3))[0],
            r.GetInt64(4),
            r.GetInt64(5),
            r.GetInt64(6),
            r.GetInt64(7) != 0,
            r.GetString(8));
    }
}
