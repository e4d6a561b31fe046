using ShadowCopy.Core.Backfill;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres.Backfill;

/// <summary>
/// The backfill's checkpoint table on PostgreSQL: one row, updated in each batch's transaction; the cursor
/// is a text[] of the key's values as text, the skipped keys a jsonb array of text arrays.
/// </summary>
internal sealed class PgBackfillCheckpoint(PgSession session, string state, BackfillOptions options) : IBackfillCheckpointStore
{
    public async Task CreateAsync(CancellationToken cancellationToken) =>
        // Table and marker together (one implicit transaction): `shadowcopy cleanup` drops only marked tables.
        await session.ExecuteAsync(
            $"CREATE TABLE IF NOT EXISTS {state} (id int PRIMARY KEY, set_text text NOT NULL, where_text text, key_columns text NOT NULL, "
            + "upper_bound text[], batches bigint NOT NULL, rows_scanned bigint NOT NULL, rows_updated bigint NOT NULL, done boolean NOT NULL, updated_at timestamptz NOT NULL, "
            + "skipped jsonb NOT NULL DEFAULT '[]'); "
            + $"COMMENT ON TABLE {state} IS {PgDialect.Instance.QuoteLiteral(PgObjects.Comment("backfill checkpoint", options.Table))}",
            null,
            cancellationToken).ConfigureAwait(false);

    public async Task ResetAsync(string keyColumns, CancellationToken cancellationToken) =>
        await session.ExecuteAsync(
            $"INSERT INTO {state} VALUES (1, $1, $2, $3, NULL, 0, 0, 0, false, now(), '[]') ON CONFLICT (id) DO UPDATE SET set_text = EXCLUDED.set_text, where_text = EXCLUDED.where_text, key_columns = EXCLUDED.key_columns, upper_bound = NULL, batches = 0, rows_scanned = 0, rows_updated = 0, done = false, updated_at = now(), skipped = '[]'",
            [options.Set, options.Where, keyColumns],
            cancellationToken).ConfigureAwait(false);

    public async Task<BackfillCheckpoint?> LoadAsync(CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync($"SELECT set_text, where_text, key_columns, upper_bound, batches, rows_scanned, rows_updated, done, skipped::text FROM {state} WHERE id = 1", null, cancellationToken).ConfigureAwait(false);
        if (rows.Count == 0)
        {
            return null;
        }

        var r = rows[0];
        return new BackfillCheckpoint((string)r[0]!, (string?)r[1], (string)r[2]!, (string[]?)r[3], (long)r[4]!, (long)r[5]!, (long)r[6]!, (bool)r[7]!, (string)r[8]!);
    }
}
