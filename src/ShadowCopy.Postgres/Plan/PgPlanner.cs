using System.Diagnostics;
using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Lint;
using ShadowCopy.Lint.Plan;
using ShadowCopy.Core.Schema;

namespace ShadowCopy.Postgres.Plan;

/// <summary>
/// Asks PostgreSQL what an ALTER costs without touching the live table: an empty clone
/// (CREATE TABLE … (LIKE … INCLUDING ALL)) is created and committed, the ALTER runs on the clone
/// in a transaction that reads pg_locks and pg_relation_filenode before rolling back, and the
/// clone is dropped. The clone is committed first because CREATE TABLE itself holds ACCESS
/// EXCLUSIVE on it until commit, which would hide the lock the ALTER takes.
/// </summary>
public static class PgPlanner
{
    private const int SampleRows = 5000;

    /// <summary>Table comment that marks our clones, so a sweep never drops a user table that merely looks alike.</summary>
    private const string CloneMarker = "shadowcopy:plan-clone";

    /// <summary>Strongest first (PostgreSQL docs, "Table-Level Lock Modes").</summary>
    private static readonly string[] LockStrength =
    [
        "AccessExclusiveLock", "ExclusiveLock", "ShareRowExclusiveLock", "ShareLock", "ShareUpdateExclusiveLock", "RowExclusiveLock", "RowShareLock", "AccessShareLock",
    ];

    public static async Task<PlanEvidence> PlanAsync(NpgsqlConnectionStringBuilder settings, TableName table, string alter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(table);
        if (!AlterClauseText.IsSingleStatement(alter, LintDialect.Postgres))
        {
            throw new ShadowCopyException("--alter must be the clauses of one ALTER TABLE, without ';'", ExitCodes.UsageError);
        }

        var connection = new NpgsqlConnection(settings.ConnectionString);


        await using var connectionScope = connection.ConfigureAwait(false);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var dialect = PgDialect.Instance;
        var qualified = dialect.Qualified(table);
        await ExecAsync(connection, "SET lock_timeout = '2s'; SET statement_timeout = '60s'", cancellationToken).ConfigureAwait(false);
        var version = Convert.ToInt32(await ScalarAsync(connection, "SELECT current_setting('server_version_num')::int", null, cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        var (rows, bytes) = await SizeAsync(connection, table, cancellationToken).ConfigureAwait(false);
        var clone = new TableName(table.Schema, HelperName(connection.ProcessID));
        var cloneQualified = dialect.Qualified(clone);
        await DropOrphanedClonesAsync(connection, cancellationToken).ConfigureAwait(false);
        await ExecAsync(connection, $"CREATE TABLE {cloneQualified} (LIKE {qualified} INCLUDING ALL); COMMENT ON TABLE {cloneQualified} IS '{CloneMarker}'", cancellationToken).ConfigureAwait(false);
        try
        {
            var size = await SampleAsync(connection, qualified, cloneQualified, rows, bytes, cancellationToken).ConfigureAwait(false);
            var probe = await ProbeAsync(connection, cloneQualified, clone, alter, cancellationToken).ConfigureAwait(false);
            var target = new LintTarget(LintDialect.Postgres, Version(version));
            return new PlanEvidence(target, table.ToString(), $"ALTER TABLE {qualified} {alter};", probe, size);
        }
        finally
        {
            await ExecAsync(connection, $"DROP TABLE IF EXISTS {cloneQualified}", CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<DdlProbe> ProbeAsync(NpgsqlConnection connection, string cloneQualified, TableName clone, string alter, CancellationToken cancellationToken)
    {
        var oid = await ScalarAsync(connection, "SELECT to_regclass($1)::oid::bigint", [cloneQualified], cancellationToken).ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        await using var transactionScope = transaction.ConfigureAwait(false);
        try
        {
            var before = await ScalarAsync(connection, "SELECT pg_relation_filenode($1::bigint::oid)::bigint", [oid], cancellationToken).ConfigureAwait(false);
            var sql = $"ALTER TABLE {cloneQualified} {alter}";
            await ExecAsync(connection, sql, cancellationToken).ConfigureAwait(false);
            var after = await ScalarAsync(connection, "SELECT pg_relation_filenode($1::bigint::oid)::bigint", [oid], cancellationToken).ConfigureAwait(false);
            var modes = await ModesAsync(connection, oid!, cancellationToken).ConfigureAwait(false);
            var strongest = LockStrength.FirstOrDefault(modes.Contains);
            var rewrote = !Equals(before, after);
            return new DdlProbe(rewrote ? DdlCost.Rewrite : DdlCost.MetadataOnly, strongest, null, [$"{sql} -> {(rewrote ? "rewrite (relfilenode changed)" : "no rewrite")}, {strongest ?? "no lock"} on {clone.Name}"]);
        }
        catch (PostgresException failure)
        {
            return new DdlProbe(DdlCost.Failed, null, $"{failure.SqlState}: {failure.MessageText}", [$"ALTER TABLE {cloneQualified} {alter} -> {failure.SqlState}"]);
        }
        finally
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Copies up to 5,000 rows into the clone in a rolled-back transaction and times it: the rate an online copy will roughly reach.</summary>
    private static async Task<TableSize> SampleAsync(NpgsqlConnection connection, string qualified, string cloneQualified, long rows, long bytes, CancellationToken cancellationToken)
    {
        var columns = (string?)await ScalarAsync(
            connection,
            "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped AND attgenerated = ''",
            [cloneQualified],
            cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(columns) || rows == 0)
        {
            return new TableSize(rows, bytes, null, 0);
        }

        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);


        await using var transactionScope = transaction.ConfigureAwait(false);
        try
        {
            var clock = Stopwatch.StartNew();
            var command = new NpgsqlCommand($"INSERT INTO {cloneQualified} ({columns}) OVERRIDING SYSTEM VALUE SELECT {columns} FROM {qualified} LIMIT {SampleRows}", connection);

            await using var commandScope = command.ConfigureAwait(false);
            var copied = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
            return new TableSize(rows, bytes, copied > 0 ? copied / seconds : null, copied);
        }
        catch (PostgresException)
        {
            // A clone constraint the sample violates (e.g. an EXCLUDE on sampled rows) only costs us the rate.
            return new TableSize(rows, bytes, null, 0);
        }
        finally
        {
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The clone is committed, so a planner killed before its DROP leaves it behind. Clones carry
    /// the pid of the session that made them; those whose session is gone are dropped here.
    /// </summary>
    private static async Task DropOrphanedClonesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var orphans = new List<string>();
        var command = new NpgsqlCommand(
            $"SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND c.relname ~ '^_sc_plan_[0-9]+_[0-9a-f]{{8}}$' AND obj_description(c.oid, 'pg_class') = '{CloneMarker}' AND split_part(c.relname, '_', 4)::int NOT IN (SELECT pid FROM pg_stat_activity)",
            connection);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                orphans.Add(reader.GetString(0));
            }
        }

        foreach (var orphan in orphans)
        {
            await ExecAsync(connection, $"DROP TABLE IF EXISTS {orphan}", cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<(long Rows, long Bytes)> SizeAsync(NpgsqlConnection connection, TableName table, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(
            "SELECT c.reltuples::bigint, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
            connection);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { Value = table.Schema });
        command.Parameters.Add(new NpgsqlParameter { Value = table.Name });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new ShadowCopyException($"table {table} does not exist", ExitCodes.TableMissing);
        }

        var (rows, bytes) = (reader.GetInt64(0), reader.GetInt64(1));
        await reader.CloseAsync().ConfigureAwait(false);
        if (rows < 0)
        {
            // Never analyzed (reltuples = -1 since PostgreSQL 14): count, but read at most ~1M rows.
            rows = Convert.ToInt64(
                await ScalarAsync(connection, $"SELECT count(*) FROM (SELECT 1 FROM {PgDialect.Instance.Qualified(table)} LIMIT 1000001) s", null, cancellationToken).ConfigureAwait(false),
                System.Globalization.CultureInfo.InvariantCulture);
        }

        return (rows, bytes);
    }

    private static async Task<HashSet<string>> ModesAsync(NpgsqlConnection connection, object oid, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand("SELECT mode FROM pg_locks WHERE locktype = 'relation' AND relation = $1::bigint::oid AND pid = pg_backend_pid() AND granted", connection);

        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { Value = oid });
        var modes = new HashSet<string>(StringComparer.Ordinal);
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            modes.Add(reader.GetString(0));
        }

        return modes;
    }

    /// <summary>server_version_num: major * 10000 + minor since PostgreSQL 10, major * 10000 + minor * 100 + patch before.</summary>
    private static ServerVersion Version(int number) =>
        number >= 100000 ? new ServerVersion(number / 10000, number % 10000, 0) : new ServerVersion(number / 10000, number % 10000 / 100, number % 100);

    /// <summary>_sc_plan_&lt;pid&gt;_&lt;random&gt;: recognisable as ours, unique per run, well under 63 bytes.</summary>
    private static string HelperName(int pid) => $"_sc_plan_{pid}_{Guid.NewGuid().ToString("N")[..8]}";

    private static async Task ExecAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);

        await using var commandScope = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, object?[]? args, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);

        await using var commandScope = command.ConfigureAwait(false);
        foreach (var arg in args ?? [])
        {
            command.Parameters.Add(new NpgsqlParameter { Value = arg });
        }

        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }
}
