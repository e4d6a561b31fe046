using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql.Capture.Binlog;

namespace ShadowCopy.MySql.Copy;

/// <summary>
/// INSERT IGNORE turns data errors into warnings. The copy and the applier's conversion read them the
/// same way: only duplicate keys (a row capture wrote first) are expected; anything else means the
/// ALTER changes data, and the run stops before anything is swapped.
/// </summary>
internal static class MySqlCopyWarnings
{
    /// <param name="session">The session that ran the statement.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <param name="duplicatesViolate">The applier's re-copy: the touched keys and stale holders were deleted first, so a duplicate is a row that breaks a new unique key.</param>
    public static async Task ThrowIfLossyAsync(MySqlSession session, bool duplicatesViolate, CancellationToken cancellationToken)
    {
        var warnings = await session.QueryAsync("SHOW WARNINGS", cancellationToken).ConfigureAwait(false);
        var duplicate = warnings.Rows.FirstOrDefault(r => r.GetInt64(1) == MySqlErrors.DuplicateKey);
        if (duplicatesViolate && duplicate is not null)
        {
            throw new ShadowCopyException(
                $"A row written during the run violates the new unique key {MySqlRowApplier.KeyName(duplicate.GetString(2))} ({duplicate.GetString(2)}); the new table cannot hold the original's rows. Nothing was swapped; the original table is unchanged.",
                ExitCodes.AlterRejected);
        }

        var bad = warnings.Rows.Where(r => r.GetInt64(1) != MySqlErrors.DuplicateKey).Select(r => $"{r.GetInt64(1)}: {r.GetString(2)}").ToList();
        if (bad.Count > 0)
        {
            throw new ShadowCopyException(
                $"The copy would change data ({string.Join("; ", bad.Take(3))}); the ALTER is lossy for rows written during the run. Nothing was swapped; the original table is unchanged.",
                ExitCodes.AlterRejected);
        }
    }
}
