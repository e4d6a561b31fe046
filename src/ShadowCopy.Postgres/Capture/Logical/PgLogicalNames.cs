using System.Security.Cryptography;
using System.Text;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Postgres.Capture.Logical;

/// <summary>
/// Names of the slot and publication of a table's run. Slot names allow only [a-z0-9_], so the slot
/// is named from a hash of the qualified table name: deterministic, so cleanup finds it again.
/// </summary>
internal static class PgLogicalNames
{
    public static string Slot(TableName table) =>
        "shadowcopy_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(table.Schema + "\0" + table.Name)))[..16];

    /// <summary>Publications are per database, not per schema: named from the same hash as the slot.</summary>
    public static string Publication(TableName table) => Slot(table);

    /// <summary>Drops the slot if it exists, ending a walsender still attached to it (bounded retries).</summary>
    public static async Task<bool> DropSlotAsync(PgSession session, string slot, CancellationToken cancellationToken)
    {
        var existed = false;
        for (var attempt = 1; ; attempt++)
        {
            var rows = await session.QueryAsync("SELECT active_pid FROM pg_catalog.pg_replication_slots WHERE slot_name = $1", [slot], cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                return existed;
            }

            existed = true;

            if (rows[0][0] is int pid)
            {
                await session.QueryAsync("SELECT pg_catalog.pg_terminate_backend($1)", [pid], cancellationToken).ConfigureAwait(false);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
                if (attempt < 20)
                {
                    continue;
                }
            }

            try
            {
                await session.QueryAsync("SELECT pg_catalog.pg_drop_replication_slot($1)", [slot], cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Npgsql.PostgresException error) when (error.SqlState == "55006" && attempt < 20)
            {
                // "replication slot … is active": its walsender is still exiting.
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
