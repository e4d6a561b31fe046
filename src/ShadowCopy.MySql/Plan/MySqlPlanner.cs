using System.Diagnostics;
using System.Text.RegularExpressions;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Lint;
using ShadowCopy.Lint.Plan;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Plan;

/// <summary>
/// Asks MySQL/MariaDB what an ALTER costs without touching the live table: CREATE TABLE clone
/// LIKE t, then the ALTER on the clone with ALGORITHM=INSTANT, then (MariaDB) NOCOPY with
/// LOCK=NONE, then INPLACE with LOCK=NONE, then COPY; the first the server accepts is the cost.
/// A refused algorithm fails before any change (ER_ALTER_OPERATION_NOT_SUPPORTED[_REASON],
/// 1845/1846), so one clone serves every attempt. The clone is dropped at the end.
/// </summary>
public static partial class MySqlPlanner
{
    private const int NotSupported = 1845;
    private const int NotSupportedReason = 1846;
    private const int SampleRows = 5000;

    /// <summary>Table comment that marks our clones, so a sweep never drops a user table that merely looks alike.</summary>
    private const string CloneMarker = "shadowcopy:plan-clone";

    public static async Task<PlanEvidence> PlanAsync(MySqlSettings settings, TableName table, string alter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(table);
        var connection = await MySqlSession.OpenAsync(settings, new SqlTranscript(), cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var dialect = connection.IsMariaDb ? LintDialect.MariaDb : LintDialect.MySql;
        if (!AlterClauseText.IsSingleStatement(alter, dialect))
        {
            throw new ShadowCopyException("--alter must be the clauses of one ALTER TABLE, without ';'", ExitCodes.UsageError);
        }

        var clauses = AlterClauseText.WithoutAlgorithmAndLock(alter, dialect);
        var qualified = MySqlEscaping.QuoteIdentifier(table.Schema, table.Name);
        await connection.ExecuteAsync("SET SESSION lock_wait_timeout = 5", cancellationToken).ConfigureAwait(false);
        await TryAsync(connection, "SET SESSION sql_log_bin = 0", cancellationToken).ConfigureAwait(false); // keep the clone off replicas when allowed
        var (rows, bytes) = await SizeAsync(connection, table, cancellationToken).ConfigureAwait(false);
        var clone = MySqlEscaping.QuoteIdentifier(table.Schema, $"_sc_plan_{connection.ConnectionId}_{Guid.NewGuid().ToString("N")[..8]}");
        await DropOrphanedClonesAsync(connection, cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync($"CREATE TABLE {clone} LIKE {qualified}", cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync($"ALTER TABLE {clone} COMMENT = '{CloneMarker}'", cancellationToken).ConfigureAwait(false);
            var size = await SampleAsync(connection, table, qualified, clone, rows, bytes, cancellationToken).ConfigureAwait(false);
            var (probe, algorithm) = await ProbeAsync(connection, clone, clauses, dialect, cancellationToken).ConfigureAwait(false);
            // The handshake reports MariaDB as "5.5.5-10.x" for old clients; VERSION() is the real one.
            var versionText = await connection.ScalarStringAsync("SELECT VERSION()", cancellationToken).ConfigureAwait(false) ?? connection.ServerVersion;
            var target = new LintTarget(dialect, Version(versionText));
            var native = algorithm is null ? $"ALTER TABLE {qualified} {clauses};" : $"ALTER TABLE {qualified} {clauses}, {algorithm};";
            return new PlanEvidence(target, $"{table.Schema}.{table.Name}", native, probe, size);
        }
        finally
        {
            await connection.ExecuteAsync($"DROP TABLE IF EXISTS {clone}", CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<(DdlProbe Probe, string? Algorithm)> ProbeAsync(MySqlSession connection, string clone, string clauses, LintDialect dialect, CancellationToken cancellationToken)
    {
        var attempts = new List<(string Algorithm, DdlCost Cost)> { ("ALGORITHM=INSTANT", DdlCost.MetadataOnly) };
        if (dialect == LintDialect.MariaDb)
        {
            attempts.Add(("ALGORITHM=NOCOPY, LOCK=NONE", DdlCost.InplaceNoRebuild));
        }

        attempts.Add(("ALGORITHM=INPLACE, LOCK=NONE", DdlCost.InplaceRebuild));
        attempts.Add(("ALGORITHM=COPY", DdlCost.Rewrite));
        var log = new List<string>();
        foreach (var (algorithm, cost) in attempts)
        {
            var sql = $"ALTER TABLE {clone} {clauses}, {algorithm}";
            try
            {
                await connection.ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
                log.Add($"{algorithm} -> accepted");
                return (new DdlProbe(cost, null, null, log), algorithm);
            }
            catch (MySqlServerException refused) when (refused.ErrorCode is NotSupported or NotSupportedReason)
            {
                log.Add($"{algorithm} -> refused ({refused.ErrorCode}: {refused.Message})");
            }
            catch (MySqlServerException failed)
            {
                log.Add($"{algorithm} -> error {failed.ErrorCode}: {failed.Message}");
                return (new DdlProbe(DdlCost.Failed, null, $"{failed.ErrorCode}: {failed.Message}", log), null);
            }
        }

        return (new DdlProbe(DdlCost.Failed, null, "no algorithm accepted the change", log), null);
    }

    /// <summary>Copies up to 5,000 rows into the clone (READ COMMITTED, so the live rows are read without locks) and empties it again.</summary>
    private static async Task<TableSize> SampleAsync(MySqlSession connection, TableName table, string qualified, string clone, long rows, long bytes, CancellationToken cancellationToken)
    {
        if (rows == 0)
        {
            return new TableSize(rows, bytes, null, 0);
        }

        var names = await connection.QueryAsync(
            $"SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {MySqlEscaping.QuoteString(table.Schema, connection.NoBackslashEscapes)} AND TABLE_NAME = {MySqlEscaping.QuoteString(table.Name, connection.NoBackslashEscapes)} AND EXTRA NOT LIKE '%GENERATED%' ORDER BY ORDINAL_POSITION",
            cancellationToken).ConfigureAwait(false);
        var columns = string.Join(", ", names.Rows.Select(r => MySqlEscaping.QuoteIdentifier(r.GetString(0))));
        try
        {
            await connection.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", cancellationToken).ConfigureAwait(false);
            var clock = Stopwatch.StartNew();
            var result = await connection.ExecuteAsync($"INSERT INTO {clone} ({columns}) SELECT {columns} FROM {qualified} LIMIT {SampleRows}", cancellationToken).ConfigureAwait(false);
            var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            var copied = (long)result.AffectedRows;
            return new TableSize(rows, bytes, copied > 0 ? copied / seconds : null, copied);
        }
        catch (MySqlServerException)
        {
            // e.g. binlog_format=STATEMENT refuses INSERT … SELECT under READ COMMITTED: only the rate is lost.
            return new TableSize(rows, bytes, null, 0);
        }
        finally
        {
            await connection.ExecuteAsync($"TRUNCATE TABLE {clone}", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A planner killed before its DROP leaves its clone; clones whose connection is gone are dropped
    /// here. PROCESSLIST shows other users' connections only with the PROCESS privilege, so a clone
    /// must also be over an hour old (a plan takes seconds) before we call it orphaned.
    /// </summary>
    private static async Task DropOrphanedClonesAsync(MySqlSession connection, CancellationToken cancellationToken)
    {
        var orphans = await connection.QueryAsync(
            $"SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_NAME REGEXP '^_sc_plan_[0-9]+_[0-9a-f]{{8}}$' AND TABLE_COMMENT = '{CloneMarker}' AND CAST(SUBSTRING_INDEX(SUBSTRING(TABLE_NAME, 10), '_', 1) AS UNSIGNED) NOT IN (SELECT ID FROM information_schema.PROCESSLIST) AND CREATE_TIME < NOW() - INTERVAL 1 HOUR",
            cancellationToken).ConfigureAwait(false);
        foreach (var row in orphans.Rows)
        {
            await connection.ExecuteAsync($"DROP TABLE IF EXISTS {MySqlEscaping.QuoteIdentifier(row.GetString(0), row.GetString(1))}", cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<(long Rows, long Bytes)> SizeAsync(MySqlSession connection, TableName table, CancellationToken cancellationToken)
    {
        var result = await connection.QueryAsync(
            $"SELECT TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH FROM information_schema.TABLES WHERE TABLE_SCHEMA = {MySqlEscaping.QuoteString(table.Schema, connection.NoBackslashEscapes)} AND TABLE_NAME = {MySqlEscaping.QuoteString(table.Name, connection.NoBackslashEscapes)} AND TABLE_TYPE = 'BASE TABLE'",
            cancellationToken).ConfigureAwait(false);
        if (result.Rows.Count == 0)
        {
            throw new ShadowCopyException($"table {table} does not exist", ExitCodes.TableMissing);
        }

        var row = result.Rows[0];
        return (row.IsNull(0) ? 0 : row.GetInt64(0), row.IsNull(1) ? 0 : row.GetInt64(1));
    }

    private static async Task TryAsync(MySqlSession connection, string sql, CancellationToken cancellationToken)
    {
        try
        {
            await connection.ExecuteAsync(sql, cancellationToken).ConfigureAwait(false);
        }
        catch (MySqlServerException)
        {
            // Optional: needs privileges we may not have.
        }
    }

    internal static ServerVersion Version(string text)
    {
        var match = VersionPattern().Match(text);
        return match.Success && ServerVersion.TryParse(match.Value, out var version) ? version : default;
    }

    [GeneratedRegex(@"^\d+(\.\d+){0,2}")]
    private static partial Regex VersionPattern();
}
