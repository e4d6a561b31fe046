using System.Globalization;
using ShadowCopy.Core.Backfill;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.Throttling;
using ShadowCopy.MySql.Model;
using ShadowCopy.MySql.Protocol;
using ShadowCopy.MySql.State;
using ShadowCopy.MySql.Throttling;

namespace ShadowCopy.MySql.Backfill;

/// <summary>
/// MySQL/MariaDB side of <c>shadowcopy backfill</c> (docs/adr/0028-backfill.md). Batches follow the
/// copy's key (<see cref="MyTable.IdentifyingKey"/>) and its boundary query
/// (<see cref="MySqlStatements.NextBoundary"/>); each batch is one READ COMMITTED transaction with
/// bounded lock waits: the UPDATE of its key range, then the checkpoint row recording its upper bound.
/// </summary>
public sealed class MySqlBackfillBackend : IBackfillBackend, IServerProbe
{
    private readonly MySqlSettings _settings;
    private readonly BackfillOptions _options;
    private readonly SqlTranscript _transcript = new();
    private MySqlSession? _main;
    private MySqlStatements? _sql;
    private MySqlServerProbe? _probe;
    private MySqlKeyReadProbe? _keyRead;
    private MySqlBackfillCheckpoint? _checkpoint;
    private string _state = string.Empty;
    private IReadOnlyList<string> _keyColumns = [];

    public MySqlBackfillBackend(MySqlSettings settings, BackfillOptions options)
    {
        _settings = settings;
        _options = options;
        _transcript.Enabled = false;
    }

    public IServerProbe? Probe => this;

    public SqlTranscript? Transcript => _transcript;

    private MySqlSession Main => _main ?? throw new InvalidOperationException("not connected");

    private MySqlStatements Sql => _sql ?? throw new InvalidOperationException("not prepared");

    private TableName Table => _options.Table;

    public async Task<BackfillPlan> PrepareAsync(CancellationToken cancellationToken)
    {
        var replicas = MySqlServerProbe.ParseReplicas(_options.Run.ReplicaDsns);
        _main = await MySqlSession.OpenAsync(_settings, _transcript, cancellationToken).ConfigureAwait(false);
        var seconds = Math.Max(1, (long)Math.Ceiling(_options.LockWaitTimeout.TotalSeconds));
        // Short waits for row locks and metadata locks (a day by default); READ COMMITTED so a batch
        // locks the rows it updates and no gaps (MariaDB KB "InnoDB Lock Modes"): inserts of new rows
        // next to or after the batch's range never wait for it.
        await Main.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"SET SESSION innodb_lock_wait_timeout = {seconds}, SESSION lock_wait_timeout = {seconds}"), cancellationToken).ConfigureAwait(false);
        await Main.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", cancellationToken).ConfigureAwait(false);

        var found = await MySqlInspector.FindAsync(Main, Table.Schema, Table.Name, cancellationToken).ConfigureAwait(false);
        if (!found.Exists)
        {
            throw new PreflightRefusedException(RefusalReason.TableMissing, $"Table {Table} does not exist (table names are case-sensitive on this server). Nothing was changed.");
        }

        if (!found.Engine.Equals("InnoDB", StringComparison.OrdinalIgnoreCase))
        {
            throw new PreflightRefusedException(RefusalReason.UnsupportedTable, $"{Table} uses the {found.Engine} engine; a backfill needs InnoDB (each batch and its checkpoint commit as one transaction). Nothing was changed.");
        }

        var table = await MySqlInspector.ReadAsync(Main, Table.Schema, Table.Name, cancellationToken).ConfigureAwait(false);
        if (table.IdentifyingKey() is null)
        {
            throw new PreflightRefusedException(RefusalReason.NoUsableKey, $"{Table} has no primary key and no unique key over NOT NULL columns; batches need one to walk the table in key order. Add one first. Nothing was changed.");
        }

        var map = MyMapping.Build(table, table, new Dictionary<string, string>());
        var names = HelperObjectNames.For(Table.Name, 64);
        _sql = new MySqlStatements(Table.Schema, Table.Name, names, map, map.KeyIndex);
        _state = MySqlStatements.Q(Table.Schema, HelperObjectNames.Derive(Table.Name, "bf_state", 64));
        _keyColumns = map.Key.Select(k => k.SourceName).ToList();
        _probe = new MySqlServerProbe(_settings, _state, replicas);
        _checkpoint = new MySqlBackfillCheckpoint(Main, _state, _options);

        // --where and --verify in a query that reads no row, then --set in a sample batch that is rolled back.
        await BackfillSample.ValidateAsync(
            _options,
            mysql: true,
            condition => Main.QueryAsync($"SELECT COUNT(*) FROM (SELECT 1 FROM {Sql.Source} WHERE ({condition}) LIMIT 1) AS probe", cancellationToken),
            () => RunRangeAsync(null, [], BackfillSample.Rows, commit: false, cancellationToken),
            error => error is MySqlServerException server && !MySqlErrors.IsRetryable(server) && !MySqlErrors.IsConnectionLoss(server)
                ? $"{server.Message} (error {server.ErrorCode})"
                : null,
            () => Task.CompletedTask).ConfigureAwait(false);
        return new BackfillPlan(_keyColumns, map.KeyIndex, found.Rows);
    }

    public IBackfillCheckpointStore Checkpoint => _checkpoint ?? throw new InvalidOperationException("not prepared");

    /// <summary>
    /// One batch after <paramref name="lower"/>: boundary read; then, in one transaction, lock the range's
    /// rows still to do in key order skipping held ones, update the locked ones, read which rows to do
    /// were not locked, and write the checkpoint (or roll back). Skipped keys are SQL literals; the
    /// checkpoint holds the whole list.
    /// </summary>
    public async Task<BackfillRange> RunRangeAsync(string[]? lower, IReadOnlyList<string[]> skipped, int size, bool commit, CancellationToken cancellationToken)
    {
        try
        {
            var boundary = await Main.QueryAsync(Sql.NextBoundary(lower, Math.Max(0, size - 1)), cancellationToken).ConfigureAwait(false);
            var upper = boundary.Rows.Count == 0 ? null : Enumerable.Range(0, Sql.KeyCount).Select(i => MySqlLiteral.FromText(boundary.Columns[i], boundary.Rows[0], i)).ToArray();
            await Main.ExecuteAsync("START TRANSACTION", cancellationToken).ConfigureAwait(false);
            var locked = await KeysAsync(Sql.RangeKeys(lower, upper, _options.Where, skipLocked: true), cancellationToken).ConfigureAwait(false);
            var updated = locked.Count == 0 ? 0 : (long)(await Main.ExecuteAsync(UpdateSql(Sql.KeyIn(locked)), cancellationToken).ConfigureAwait(false)).AffectedRows;
            // Rows to do that were not locked: held by another transaction (or written since); a plain read.
            var done = locked.Select(Joined).ToHashSet(StringComparer.Ordinal);
            var passed = (await KeysAsync(Sql.RangeKeys(lower, upper, _options.Where, skipLocked: false), cancellationToken).ConfigureAwait(false))
                .Where(k => !done.Contains(Joined(k))).ToList();
            var scanned = upper is null ? locked.Count + passed.Count : size;
            if (commit)
            {
                var bound = upper is null ? "NULL" : Main.Literal(MySqlCheckpoint.WriteUppers([upper]));
                await Main.ExecuteAsync(
                    string.Create(CultureInfo.InvariantCulture, $"UPDATE {_state} SET upper_bound = {bound}, batches = batches + 1, rows_scanned = rows_scanned + {scanned}, rows_updated = rows_updated + {updated}, done = {(upper is null ? 1 : 0)}, skipped = {Main.Literal(BackfillLedger.SkippedJson([.. skipped, .. passed]))}, updated_at = UTC_TIMESTAMP(6) WHERE id = 1"),
                    cancellationToken).ConfigureAwait(false);
                await Main.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Main.ExecuteAsync("ROLLBACK", cancellationToken).ConfigureAwait(false);
            }

            return new BackfillRange(scanned, updated, upper, passed);
        }
        catch (MySqlServerException error)
        {
            throw await TranslateAsync(error).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The oldest row earlier batches skipped, in its own transaction with the checkpoint: holding no other
    /// row, its wait cannot close a deadlock cycle. While key ranges remain, a row still held (FOR UPDATE
    /// NOWAIT) is left for later; once the key space is done, the UPDATE waits up to --lock-wait-timeout
    /// and a timeout is the batch's retry.
    /// </summary>
    public async Task<long?> UpdateSkippedRowAsync(IReadOnlyList<string[]> skipped, bool exhausted, CancellationToken cancellationToken)
    {
        var key = Sql.KeyIn([skipped[0]]);
        try
        {
            await Main.ExecuteAsync("START TRANSACTION", cancellationToken).ConfigureAwait(false);
            if (!exhausted)
            {
                await Main.QueryAsync($"SELECT 1 FROM {Sql.Source} WHERE {key} FOR UPDATE NOWAIT", cancellationToken).ConfigureAwait(false);
            }

            var changed = (long)(await Main.ExecuteAsync(UpdateSql(key), cancellationToken).ConfigureAwait(false)).AffectedRows;
            await Main.ExecuteAsync(
                string.Create(CultureInfo.InvariantCulture, $"UPDATE {_state} SET skipped = {Main.Literal(BackfillLedger.SkippedJson(skipped.Skip(1)))}, rows_updated = rows_updated + {changed}, updated_at = UTC_TIMESTAMP(6) WHERE id = 1"),
                cancellationToken).ConfigureAwait(false);
            await Main.ExecuteAsync("COMMIT", cancellationToken).ConfigureAwait(false);
            return changed;
        }
        catch (MySqlServerException error) when (!exhausted && error.ErrorCode is MySqlErrors.LockWaitTimeout or LockNowait)
        {
            await Main.ResetQuietlyAsync().ConfigureAwait(false);
            return null;
        }
        catch (MySqlServerException error)
        {
            throw await TranslateAsync(error).ConfigureAwait(false);
        }
    }

    /// <summary>MySQL 8's error for FOR UPDATE NOWAIT on a held row (ER_LOCK_NOWAIT); MariaDB answers 1205.</summary>
    private const int LockNowait = 3572;

    private async Task<List<string[]>> KeysAsync(string sql, CancellationToken cancellationToken)
    {
        var rows = await Main.QueryAsync(sql, cancellationToken).ConfigureAwait(false);
        return [.. rows.Rows.Select(row => Enumerable.Range(0, Sql.KeyCount).Select(i => MySqlLiteral.FromText(rows.Columns[i], row, i)).ToArray())];
    }

    private static string Joined(string[] key) => string.Join("\u0001", key);

    private async Task<Exception> TranslateAsync(MySqlServerException error)
    {
        await Main.ResetQuietlyAsync().ConfigureAwait(false);
        return MySqlErrors.IsRetryable(error)
            ? new RetryableDatabaseException(error.Message, error.ErrorCode.ToString(CultureInfo.InvariantCulture), error)
            : error;
    }

    private string UpdateSql(string keyCondition) =>
        $"UPDATE {Sql.Source} SET {_options.Set} WHERE {keyCondition}{(_options.Where is null ? string.Empty : $" AND ({_options.Where})")}";

    public async Task<BackfillReport> CountAsync(CancellationToken cancellationToken)
    {
        static string Count(string? condition) => condition is null ? "NULL" : $"COALESCE(SUM(CASE WHEN ({condition}) THEN 1 ELSE 0 END), 0)";
        var rows = await Main.QueryAsync($"SELECT COUNT(*), {Count(_options.Where)}, {Count(_options.Verify)} FROM {Sql.Source}", cancellationToken).ConfigureAwait(false);
        var r = rows.Rows[0];
        return new BackfillReport(r.GetInt64(0), r.IsNull(1) ? null : r.GetInt64(1), r.IsNull(2) ? null : r.GetInt64(2));
    }

    public async Task DropCheckpointAsync(CancellationToken cancellationToken) =>
        await Main.ExecuteAsync($"DROP TABLE IF EXISTS {_state}", cancellationToken).ConfigureAwait(false);

    public IReadOnlyList<PlannedStatement> DescribeBatch()
    {
        string[] lower = [.. _keyColumns.Select(k => $"<{k} lower>")];
        string[] upper = [.. _keyColumns.Select(k => $"<{k} upper>")];
        var wait = Math.Max(1, Math.Ceiling(_options.LockWaitTimeout.TotalSeconds));
        var locks = "row locks on the rows it locks (READ COMMITTED: no gap locks), held until the batch commits; SKIP LOCKED: it never waits for a row an application "
                    + $"transaction holds (no deadlock with the application), the rows it skips are recorded with the batch; metadata lock waits at most {wait} s (innodb_lock_wait_timeout, lock_wait_timeout)";
        string[] skipped = [.. _keyColumns.Select(k => $"<{k} skipped>")];
        return
        [
            new("batch boundary", Sql.NextBoundary(lower, -1).Replace("OFFSET -1", "OFFSET <batch size - 1>", StringComparison.Ordinal), true, "none (consistent read)"),
            new("batch", "START TRANSACTION", true),
            new("batch", Sql.RangeKeys(lower, upper, _options.Where, skipLocked: true), true, locks),
            new("batch", UpdateSql(Sql.KeyIn([[.. _keyColumns.Select(k => $"<{k} locked>")]])), true, "the rows locked above, nothing else"),
            new("batch", Sql.RangeKeys(lower, upper, _options.Where, skipLocked: false), true, "none (consistent read): the rows to do that were skipped"),
            new("batch", $"UPDATE {_state} SET upper_bound = <upper>, batches = batches + 1, …, skipped = <skipped keys> WHERE id = 1", false, "the checkpoint row, committed with the batch"),
            new("batch", "COMMIT", false),
            new("skipped row", $"START TRANSACTION; SELECT 1 FROM {Sql.Source} WHERE {Sql.KeyIn([skipped])} FOR UPDATE NOWAIT; {UpdateSql(Sql.KeyIn([skipped]))}; UPDATE {_state} SET skipped = …; COMMIT", true,
                $"one row lock and the checkpoint row, nothing else; before each batch a row still held is left for later (NOWAIT); after the last key range it waits at most {wait} s, then retries"),
            new("report", $"SELECT COUNT(*), <rows matching --where>, <rows matching --verify> FROM {Sql.Source}", false, "none (consistent read)"),
        ];
    }

    public Task<IReadOnlyDictionary<string, double>> ReadLoadAsync(IReadOnlyCollection<string> metrics, CancellationToken cancellationToken) =>
        ProbeOrThrow.ReadLoadAsync(metrics, cancellationToken);

    public Task<double?> RunThrottleQueryAsync(string sql, CancellationToken cancellationToken) =>
        ProbeOrThrow.RunThrottleQueryAsync(sql, cancellationToken);

    public Task<IReadOnlyList<ReplicaLag>> ReadReplicaLagAsync(CancellationToken cancellationToken) =>
        ProbeOrThrow.ReadReplicaLagAsync(cancellationToken);

    private MySqlServerProbe ProbeOrThrow => _probe ?? throw new InvalidOperationException("not prepared");

    public Task<TimeSpan> ProbeKeyReadAsync(IReadOnlyList<string> keyColumns, CancellationToken cancellationToken) =>
        (_keyRead ??= new MySqlKeyReadProbe(_settings, Table)).ReadAsync(keyColumns, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_probe is not null)
        {
            await _probe.DisposeAsync().ConfigureAwait(false);
        }

        if (_keyRead is not null)
        {
            await _keyRead.DisposeAsync().ConfigureAwait(false);
        }

        if (_main is not null)
        {
            await _main.DisposeAsync().ConfigureAwait(false);
        }
    }
}
