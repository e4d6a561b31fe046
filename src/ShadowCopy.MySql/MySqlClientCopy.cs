using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>
/// Copies a range through the tool with multi-row INSERT … VALUES instead of INSERT … SELECT.
/// With innodb_autoinc_lock_mode=1, an INSERT … SELECT into a table with an AUTO_INCREMENT
/// column holds the table-level AUTO-INC lock for the whole statement, and the capture
/// triggers' single-row inserts queue behind it; a multi-row VALUES insert is a "simple insert"
/// that only takes the light-weight mutex (docs/adr/0008-mysql-copy-capture-and-auto-inc.md).
/// The read locks the rows (LOCK IN SHARE MODE) in the same transaction as the insert.
/// </summary>
internal static class MySqlClientCopy
{
    public static async Task<long> CopyAsync(MySqlSession session, MySqlStatements sql, string[]? lower, string[]? upper, bool inTransaction, Func<CancellationToken, Task> checkWarnings, CancellationToken cancellationToken)
    {
        if (!inTransaction)
        {
            await session.ExecuteAsync("START TRANSACTION", cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var rows = await session.QueryAsync(sql.SelectRange(lower, upper), cancellationToken).ConfigureAwait(false);
            long inserted = 0;
            foreach (var batch in rows.Rows.Chunk(500))
            {
                var values = batch.Select(r => "(" + string.Join(", ", Enumerable.Range(0, rows.Columns.Count).Select(i => MySqlLiteral.FromText(rows.Columns[i], r, i))) + ")");
                var result = await session.ExecuteAsync(sql.InsertValues(values), cancellationToken).ConfigureAwait(false);
                if (result.Warnings > 0)
                {
                    await checkWarnings(cancellationToken).ConfigureAwait(false);
                }

                inserted += (long)result.AffectedRows;
            }

            if (!inTransaction)
            {
                await session.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            }

            return inserted;
        }
        catch (MySqlException)
        {
            await session.ResetQuietlyAsync().ConfigureAwait(false);
            throw;
        }
    }
}
