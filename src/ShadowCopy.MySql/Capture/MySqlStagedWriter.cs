using System.Text;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Verification;
using ShadowCopy.MySql.Capture.Binlog;
using ShadowCopy.MySql.Copy;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Capture;

/// <summary>
/// Writes rows given as literals typed like the original's copied columns into the shadow, through
/// the staging tables (<see cref="MySqlStaging"/>): stage, convert with the copy's statement, delete
/// the touched keys and stale unique holders, insert. Used by the binlog applier (row images) and by
/// the trigger capture's drain under the cut-over lock (rows read on the lock-holding session).
/// </summary>
internal sealed class MySqlStagedWriter
{
    /// <summary>Staged rows per INSERT statement, well under the smallest max_allowed_packet (4 MB in MySQL 5.7).</summary>
    private const int MaxStatementBytes = 1 << 20;

    private readonly MySqlStatements _sql;
    private readonly MySqlStaging _staging;
    private readonly string _table;
    private uint? _stagedOn;
    private string? _copySqlMode;

    public MySqlStagedWriter(MySqlStatements sql, MyTable source, MyTable shadow)
    {
        _sql = sql;
        _table = source.Name;
        _staging = new MySqlStaging(sql, source, shadow);
    }

    /// <summary>
    /// In the caller's transaction: replaces the shadow rows of <paramref name="keys"/> by <paramref name="rows"/>
    /// (each "(lit, lit, …)" over <see cref="MySqlStatements.SourceColumns"/>; keys without a row are only deleted).
    /// </summary>
    public async Task WriteAsync(MySqlSession session, IReadOnlyCollection<RowKey> keys, IReadOnlyList<string> rows, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        await EnsureStagingAsync(session, cancellationToken).ConfigureAwait(false);
        if (rows.Count > 0)
        {
            await StageAsync(session, rows, cancellationToken).ConfigureAwait(false);
        }

        foreach (var batch in keys.Chunk(500))
        {
            await session.ExecuteAsync($"DELETE FROM {_sql.Shadow} WHERE {_sql.ShadowKeyIn(batch.Select(k => k.Parts))}", cancellationToken).ConfigureAwait(false);
        }

        if (rows.Count == 0)
        {
            return;
        }

        foreach (var sql in _staging.DeleteUniqueHolders())
        {
            await session.ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            await session.ExecuteAsync(_staging.InsertIntoShadow(), cancellationToken).ConfigureAwait(false);
        }
        catch (MySqlServerException error) when (error.ErrorCode == MySqlErrors.DuplicateKey)
        {
            throw new ShadowCopyException(
                $"A row written during the run violates the new unique key {MySqlRowApplier.KeyName(error.Message)} ({error.Message}); the new table cannot hold the original's rows. Nothing was swapped; the original table is unchanged.",
                ExitCodes.AlterRejected,
                error);
        }
    }

    /// <summary>
    /// Stages the rows typed as the original (lax sql_mode: the original's values as they are), then
    /// converts them under the copy's sql_mode with the copy's statement; a warning there is a value
    /// the copy would have refused too.
    /// </summary>
    private async Task StageAsync(MySqlSession session, IReadOnlyList<string> rows, CancellationToken cancellationToken)
    {
        foreach (var sql in _staging.Clear())
        {
            await session.ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
        }

        await session.ExecuteAsync($"SET SESSION sql_mode = {session.Literal(MySqlStaging.LaxSqlMode)}", cancellationToken).ConfigureAwait(false);
        try
        {
            var statement = new List<string>();
            var bytes = 0;
            foreach (var row in rows)
            {
                if (statement.Count > 0 && bytes + row.Length > MaxStatementBytes)
                {
                    await StageRowsAsync(session, statement, cancellationToken).ConfigureAwait(false);
                    statement.Clear();
                    bytes = 0;
                }

                statement.Add(row);
                bytes += row.Length;
            }

            await StageRowsAsync(session, statement, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await session.ExecuteAsync($"SET SESSION sql_mode = {session.Literal(_copySqlMode!)}", cancellationToken).ConfigureAwait(false);
        }

        var converted = await session.ExecuteAsync(_staging.Convert(), cancellationToken).ConfigureAwait(false);
        if (converted.Warnings > 0)
        {
            await MySqlCopyWarnings.ThrowIfLossyAsync(session, duplicatesViolate: false, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task StageRowsAsync(MySqlSession session, List<string> rows, CancellationToken cancellationToken)
    {
        var staged = await session.ExecuteAsync(_staging.InsertImages(rows), cancellationToken).ConfigureAwait(false);
        if (staged.Warnings > 0)
        {
            // The staging table has the original's own column types: a warning means a value did
            // not arrive as the original holds it, and nothing converted from it can be trusted —
            // except ENUM's error value, index 0 (''), which the server stores only with a warning.
            var warnings = (await session.QueryAsync("SHOW WARNINGS", cancellationToken).ConfigureAwait(false)).Rows
                .Where(r => !(r.GetInt64(1) == DataTruncated && IsEnumOrSet(r.GetString(2))))
                .ToList();
            if (warnings.Count == 0)
            {
                return;
            }

            var text = new StringBuilder();
            foreach (var row in warnings.Take(3))
            {
                text.Append(row.GetInt64(1)).Append(": ").Append(row.GetString(2)).Append("; ");
            }

            throw new ShadowCopyException(
                $"A captured change could not be staged as {_table} holds it ({text.ToString().TrimEnd(' ', ';')}). Nothing was swapped; the original table is unchanged. Please report this with the table's definition.",
                ExitCodes.InternalError);
        }
    }

    private const long DataTruncated = 1265;

    /// <summary>"Data truncated for column 'e' at row 3": whether that is an ENUM or SET column of the original.</summary>
    private bool IsEnumOrSet(string message)
    {
        const string Marker = "for column '";
        var at = message.IndexOf(Marker, StringComparison.Ordinal);
        var end = at < 0 ? -1 : message.IndexOf('\'', at + Marker.Length);
        if (end < 0)
        {
            return false;
        }

        var name = message[(at + Marker.Length)..end];
        return _sql.Copied.Any(c => string.Equals(c.SourceName, name, StringComparison.OrdinalIgnoreCase) && c.Source.DataType is "enum" or "set");
    }

    /// <summary>Creates the staging tables on this session (again after a reconnect) and learns the copy's sql_mode.</summary>
    private async Task EnsureStagingAsync(MySqlSession session, CancellationToken cancellationToken)
    {
        if (_stagedOn == session.ConnectionId)
        {
            return;
        }

        _copySqlMode = await session.ScalarStringAsync("SELECT @@SESSION.sql_mode", cancellationToken).ConfigureAwait(false) ?? string.Empty;
        await session.ExecuteAsync(_staging.CreateSource(), cancellationToken).ConfigureAwait(false);
        await session.ExecuteAsync(_staging.CreateConverted(), cancellationToken).ConfigureAwait(false);
        _stagedOn = session.ConnectionId;
    }
}
