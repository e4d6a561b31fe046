using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.Protocol.Binlog;

namespace ShadowCopy.MySql.Capture.Binlog;

internal static class BinlogPositions
{
    /// <summary>Orders positions by file (fixed-width numbered names sort as text), then offset.</summary>
    public static int Compare(BinlogPosition a, BinlogPosition b)
    {
        var file = string.CompareOrdinal(a.FileName, b.FileName);
        return file != 0 ? file : a.Position.CompareTo(b.Position);
    }

    /// <summary>The source's current binlog file, position and GTID state (SHOW MASTER STATUS / gtid_binlog_pos / gtid_executed).</summary>
    public static async Task<BinlogPosition> CurrentAsync(MySqlSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        MySqlResultSet status;
        try
        {
            // MySQL 8.2+ renamed the statement (and 8.4 removed the old name); MariaDB and older MySQL know only SHOW MASTER STATUS.
            status = await session.QueryAsync(session.IsMariaDb ? "SHOW MASTER STATUS" : "SHOW BINARY LOG STATUS", cancellationToken).ConfigureAwait(false);
        }
        catch (MySqlServerException ex) when (ex.ErrorCode == 1064 && !session.IsMariaDb)
        {
            status = await session.QueryAsync("SHOW MASTER STATUS", cancellationToken).ConfigureAwait(false);
        }

        if (status.Rows.Count == 0)
        {
            throw new MySqlProtocolException("SHOW MASTER STATUS returned no row: binary logging is off on the server.");
        }

        var file = status.Rows[0].GetString(0);
        var position = status.Rows[0].GetInt64(1);
        var gtid = await session.ScalarStringAsync(session.IsMariaDb ? "SELECT @@global.gtid_binlog_pos" : "SELECT @@global.gtid_executed", cancellationToken).ConfigureAwait(false);
        return new BinlogPosition(file, position, gtid?.Replace("\n", string.Empty, StringComparison.Ordinal));
    }
}
