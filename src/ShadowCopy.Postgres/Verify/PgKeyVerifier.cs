using ShadowCopy.Core.Verification;
using ShadowCopy.Postgres.Capture.Trigger;

namespace ShadowCopy.Postgres.Verify;

/// <summary>
/// Delta verification on PostgreSQL (docs/adr/0019). Keys travel as one text array per key column.
/// With trigger capture no lock is needed: in one snapshot, a key whose change log entry is gone has
/// its applied row as of a read no older than its last change (the applier consumes the entry and
/// re-reads the row in one REPEATABLE READ transaction), so source and shadow must agree there; keys
/// still in the log are in flight and stay dirty. Logical capture compares at the verification point
/// (SHARE lock, fence, drain, exported snapshot), like the chunk checksums.
/// </summary>
internal sealed class PgKeyVerifier(PgStatements sql)
{
    /// <summary>Compares in the open transaction(s) of <paramref name="source"/> and <paramref name="shadow"/> (one session is fine).</summary>
    public static async Task<KeyVerifyResult> CompareAsync(PgStatements sql, PgSession source, PgSession shadow, IReadOnlyList<RowKey> keys, bool excludePending, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return KeyVerifyResult.Empty;
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var args = Arrays(sql, keys);
        var pending = new HashSet<long>();
        if (excludePending)
        {
            foreach (var row in await source.QueryAsync(sql.PendingKeys(), args, cancellationToken).ConfigureAwait(false))
            {
                pending.Add((long)row[0]!);
            }
        }

        var sourceRows = Hashes(await source.QueryAsync(sql.KeyRowHashes(shadowSide: false), args, cancellationToken).ConfigureAwait(false));
        var shadowRows = Hashes(await shadow.QueryAsync(sql.KeyRowHashes(shadowSide: true), args, cancellationToken).ConfigureAwait(false));
        var mismatched = new List<RowKey>();
        var stillPending = new List<RowKey>();
        for (var i = 0; i < keys.Count; i++)
        {
            var position = i + 1L;
            if (pending.Contains(position))
            {
                stillPending.Add(keys[i]);
                continue;
            }

            var inSource = sourceRows.TryGetValue(position, out var a);
            var inShadow = shadowRows.TryGetValue(position, out var b);
            if (inSource != inShadow || (inSource && a != b))
            {
                mismatched.Add(keys[i]);
            }
        }

        return new KeyVerifyResult(keys.Count - stillPending.Count, stillPending, mismatched) { CompareTime = watch.Elapsed };
    }

    /// <summary>Re-applies the keys with the trigger applier's own statements: delete, clear unique holders, copy from the original.</summary>
    public async Task RecopyAsync(PgSession main, IReadOnlyList<RowKey> keys, CancellationToken cancellationToken)
    {
        await main.ExecuteAsync(sql.CreateBatchTable(), null, cancellationToken).ConfigureAwait(false);
        foreach (var batch in keys.Chunk(5_000))
        {
            await main.ExecuteAsync("BEGIN ISOLATION LEVEL REPEATABLE READ", null, cancellationToken).ConfigureAwait(false);
            try
            {
                await main.ExecuteAsync(sql.StageKeys(), Arrays(sql, batch), cancellationToken).ConfigureAwait(false);
                await main.ExecuteAsync(sql.DeleteBatchFromShadow(), null, cancellationToken).ConfigureAwait(false);
                foreach (var statement in sql.DeleteUniqueCollisions())
                {
                    await main.ExecuteAsync(statement, null, cancellationToken).ConfigureAwait(false);
                }

                await main.ExecuteAsync(sql.InsertBatchIntoShadow(), null, cancellationToken).ConfigureAwait(false);
                await main.ExecuteAsync(PgTriggerSql.ClearBatchTable(), null, cancellationToken).ConfigureAwait(false);
                await main.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await main.RollbackQuietlyAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    public string Describe(RowKey key) =>
        $"({string.Join(", ", sql.Mapping.Key.Select(k => k.SourceName))})=({string.Join(", ", key.Parts)})";

    private static List<object?> Arrays(PgStatements sql, IReadOnlyList<RowKey> keys) =>
        sql.Mapping.Key.Select((_, column) => (object?)keys.Select(k => k.Parts[column]).ToArray()).ToList();

    private static Dictionary<long, long> Hashes(IReadOnlyList<object?[]> rows)
    {
        var hashes = new Dictionary<long, long>(rows.Count);
        foreach (var row in rows)
        {
            hashes[(long)row[0]!] = (long)row[1]!;
        }

        return hashes;
    }
}
