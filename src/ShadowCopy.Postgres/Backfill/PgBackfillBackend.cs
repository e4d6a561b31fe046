using System.Globalization;
using Npgsql;
using ShadowCopy.Core.Backfill;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Core.Throttling;
using ShadowCopy.Postgres.Copy;
using ShadowCopy.Postgres.Model;
using ShadowCopy.Postgres.Shadow;
using ShadowCopy.Postgres.Throttling;

namespace ShadowCopy.Postgres.Backfill;

/// <summary>
/// PostgreSQL side of <c>shadowcopy backfill</c> (docs/adr/0028-backfill.md). Batches follow the
/// copy's key (<see cref="PgMapping.Build"/>) and its boundary query (<see cref="PgStatements.NextBoundary"/>,
/// key values as text cast back to the key's types); each batch is one transaction with
/// <c>SET LOCAL lock_timeout</c>: the UPDATE of its key range, then the checkpoint row recording its upper bound.
/// </summary>
public sealed class PgBackfillBackend : IBackfillBackend
{
    private static readonly PgDialect D = PgDialect.Instance;

    private readonly NpgsqlConnectionStringBuilder _settings;
    private readonly BackfillOptions _options;
    private readonly SqlTranscript _transcript = new() { Enabled = false };
    private readonly PgAlterBackend _probe;
    private PgSession? _main;
    private PgStatements? _sql;
    private string _state = string.Empty;
    private string _alias = string.Empty;
    private IReadOnlyList<string> _keyColumns = [];
    private IReadOnlyList<string> _keyTypes = [];

    private PgBackfillCheckpoint? _checkpoint;

    public PgBackfillBackend(NpgsqlConnectionStringBuilder settings, BackfillOptions options, Microsoft.Extensions.Logging.ILogger logger)
    {
        _settings = settings;
        _options = options;
        // The alter's probe (load, lag, throttle query on sessions of its own); it connects only when asked.
        _probe = new PgAlterBackend(settings, options.Run, logger);
    }

    public IServerProbe? Probe => _probe;

    public SqlTranscript? Transcript => _transcript;

    private PgSession Main => _main ?? throw new InvalidOperationException("not connected");

    private PgStatements Sql => _sql ?? throw new InvalidOperationException("not prepared");

    private TableName Table => _options.Table;

    public async Task<BackfillPlan> PrepareAsync(CancellationToken cancellationToken)
    {
        var load = _options.Run.MaxLoad.Concat(_options.Run.CriticalLoad).Select(l => l.Metric).ToList();
        if (load.Count > 0)
        {
            PgServerProbe.CheckLoadMetrics(load);
        }

        _main = await PgSession.OpenAsync(_settings, _transcript, cancellationToken).ConfigureAwait(false);
        var table = await PgInspector.ReadAsync(Main, Table, cancellationToken).ConfigureAwait(false)
            ?? throw new PreflightRefusedException(RefusalReason.TableMissing, $"Table {Table} does not exist. Nothing was changed.");
        PgMapping map;
        try
        {
            map = PgMapping.Build(table, table);
        }
        catch (PreflightRefusedException refusal) when (refusal.Reason == RefusalReason.NoUsableKey)
        {
            throw new PreflightRefusedException(RefusalReason.NoUsableKey, $"{Table} has no primary key and no unique index over NOT NULL columns (non-partial, immediate); batches need one to walk the table in key order. Add one first. Nothing was changed.", refusal);
        }

        var names = HelperObjectNames.For(Table.Name, D.MaxIdentifierBytes);
        _sql = new PgStatements(Table, names, map, []);
        _state = D.Qualified(Table.Schema, HelperObjectNames.Derive(Table.Name, "bf_state", D.MaxIdentifierBytes));
        _alias = D.QuoteIdentifier(Table.Name);
        _keyColumns = map.Key.Select(k => k.SourceName).ToList();
        _keyTypes = map.Key.Select(k => k.SourceType).ToList();
        _checkpoint = new PgBackfillCheckpoint(Main, _state, _options);

        // --where and --verify in a query that reads at most one row, then --set in a sample batch that is rolled back.
        await BackfillSample.ValidateAsync(
            _options,
            mysql: false,
            condition => Main.QueryAsync($"SELECT count(*) FROM (SELECT 1 FROM {Sql.Source} WHERE ({condition}) LIMIT 1) AS probe", null, cancellationToken),
            () => RunRangeAsync(null, [], BackfillSample.Rows, commit: false, cancellationToken),
            error => error is PostgresException server && !PgErrors.IsRetryable(server) ? $"{server.MessageText} (SQLSTATE {server.SqlState})" : null,
            Main.RollbackQuietlyAsync).ConfigureAwait(false);
        return new BackfillPlan(_keyColumns, map.SourceKeyIndex.Name, table.EstimatedRows);
    }

    public IBackfillCheckpointStore Checkpoint => _checkpoint ?? throw new InvalidOperationException("not prepared");

    /// <summary>
    /// One batch after <paramref name="lower"/>: boundary read; then, in one transaction, <see cref="BatchSql"/>
    /// and the checkpoint, which appends the batch's skipped keys to the ones it holds (or roll back).
    /// </summary>
    public async Task<BackfillRange> RunRangeAsync(string[]? lower, IReadOnlyList<string[]> skipped, int size, bool commit, CancellationToken cancellationToken)
    {
        try
        {
            var args = new List<object?>(lower ?? []) { (long)Math.Max(0, size - 1) };
            var boundary = await Main.QueryAsync(Sql.NextBoundary(lower is not null), args, cancellationToken).ConfigureAwait(false);
            var upper = boundary.Count == 0 ? null : boundary[0].Select(v => (string)v!).ToArray();
            await BeginAsync(lockTimeout: null, cancellationToken).ConfigureAwait(false);
            var result = await Main.QueryAsync(BatchSql(lower is not null, upper is not null), [.. lower ?? [], .. upper ?? []], cancellationToken).ConfigureAwait(false);
            var updated = (long)result[0][0]!;
            var passed = BackfillLedger.ParseSkipped((string)result[0][1]!);
            var scanned = upper is null ? updated + passed.Length : size;
            if (commit)
            {
                await Main.ExecuteAsync(
                    $"UPDATE {_state} SET upper_bound = $1, batches = batches + 1, rows_scanned = rows_scanned + $2, rows_updated = rows_updated + $3, done = $4, skipped = skipped || $5::jsonb, updated_at = now() WHERE id = 1",
                    [upper, scanned, updated, upper is null, (string)result[0][1]!],
                    cancellationToken).ConfigureAwait(false);
                await Main.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await Main.ExecuteAsync("ROLLBACK", null, cancellationToken).ConfigureAwait(false);
            }

            return new BackfillRange(scanned, updated, upper, passed);
        }
        catch (PostgresException error)
        {
            throw await TranslateAsync(error).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The oldest row earlier batches skipped, in its own transaction with the checkpoint (which drops its
    /// first key): holding no other row, its wait cannot close a deadlock cycle. While key ranges remain, a
    /// row still held is left for later after a wait of <see cref="SkippedRowPeek"/>; once the key space is
    /// done, it waits up to --lock-wait-timeout and a timeout is the batch's retry.
    /// </summary>
    public async Task<long?> UpdateSkippedRowAsync(IReadOnlyList<string[]> skipped, bool exhausted, CancellationToken cancellationToken)
    {
        try
        {
            await BeginAsync(exhausted ? null : SkippedRowPeek, cancellationToken).ConfigureAwait(false);
            var changed = await Main.ExecuteAsync(SkippedRowSql(), [.. skipped[0]], cancellationToken).ConfigureAwait(false);
            await Main.ExecuteAsync(
                $"UPDATE {_state} SET skipped = skipped - 0, rows_updated = rows_updated + $1, updated_at = now() WHERE id = 1",
                [(long)changed],
                cancellationToken).ConfigureAwait(false);
            await Main.ExecuteAsync("COMMIT", null, cancellationToken).ConfigureAwait(false);
            return changed;
        }
        catch (PostgresException error) when (!exhausted && PgErrors.IsLockTimeout(error))
        {
            await Main.RollbackQuietlyAsync().ConfigureAwait(false);
            return null;
        }
        catch (PostgresException error)
        {
            throw await TranslateAsync(error).ConfigureAwait(false);
        }
    }

    private async Task BeginAsync(TimeSpan? lockTimeout, CancellationToken cancellationToken)
    {
        await Main.ExecuteAsync("BEGIN", null, cancellationToken).ConfigureAwait(false);
        await Main.ExecuteAsync(LockTimeoutSetting(lockTimeout ?? _options.LockWaitTimeout), null, cancellationToken).ConfigureAwait(false);
    }

    private static readonly TimeSpan SkippedRowPeek = TimeSpan.FromMilliseconds(20);

    private string LockTimeoutSql => LockTimeoutSetting(_options.LockWaitTimeout);

    private static string LockTimeoutSetting(TimeSpan wait) =>
        string.Create(CultureInfo.InvariantCulture, $"SET LOCAL lock_timeout = '{Math.Max(1, (long)wait.TotalMilliseconds)}ms'");

    private async Task<Exception> TranslateAsync(PostgresException error)
    {
        await Main.RollbackQuietlyAsync().ConfigureAwait(false);
        return PgErrors.IsRetryable(error) ? new RetryableDatabaseException(error.MessageText, error.SqlState, error) : error;
    }

    private string KeyList => string.Join(", ", _keyColumns.Select(D.QuoteIdentifier));

    private string WhereClause => _options.Where is null ? string.Empty : $" AND ({_options.Where})";

    /// <summary>
    /// One statement, one snapshot: lock the range's rows still to do in key order, skipping rows an
    /// application transaction holds; update the locked ones; return the count and the skipped keys as
    /// a JSON array of text arrays (the range's rows to do in the snapshot that were not locked).
    /// </summary>
    private string BatchSql(bool hasLower, bool hasUpper)
    {
        var range = Sql.KeyRange(_alias, hasLower, hasUpper);
        var keys = KeyList;
        var asText = string.Join(", ", _keyColumns.Select(k => D.QuoteIdentifier(k) + "::text"));
        return $"WITH shadowcopy_locked AS (SELECT {keys} FROM {Sql.Source} WHERE {range}{WhereClause} ORDER BY {keys} FOR UPDATE SKIP LOCKED), "
               + $"shadowcopy_done AS (UPDATE {Sql.Source} SET {_options.Set} WHERE ({keys}) IN (SELECT {keys} FROM shadowcopy_locked) RETURNING 1) "
               + $"SELECT (SELECT count(*) FROM shadowcopy_done), (SELECT coalesce(jsonb_agg(jsonb_build_array({asText}) ORDER BY {keys}), '[]')::text "
               + $"FROM {Sql.Source} WHERE {range}{WhereClause} AND ({keys}) NOT IN (SELECT {keys} FROM shadowcopy_locked))";
    }

    private string SkippedRowSql() =>
        $"UPDATE {Sql.Source} SET {_options.Set} WHERE ({KeyList}) = ({string.Join(", ", _keyTypes.Select((t, i) => $"${i + 1}::{t}"))}){WhereClause}";

    public async Task<BackfillReport> CountAsync(CancellationToken cancellationToken)
    {
        static string Count(string? condition) => condition is null ? "NULL::bigint" : $"count(*) FILTER (WHERE ({condition}))";
        var rows = await Main.QueryAsync($"SELECT count(*), {Count(_options.Where)}, {Count(_options.Verify)} FROM {Sql.Source}", null, cancellationToken).ConfigureAwait(false);
        var r = rows[0];
        return new BackfillReport((long)r[0]!, (long?)r[1], (long?)r[2]);
    }

    public async Task DropCheckpointAsync(CancellationToken cancellationToken) =>
        await Main.ExecuteAsync($"DROP TABLE IF EXISTS {_state}", null, cancellationToken).ConfigureAwait(false);

    public IReadOnlyList<PlannedStatement> DescribeBatch()
    {
        var wait = _options.LockWaitTimeout.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);
        var locks = $"ROW EXCLUSIVE on the table (waits at most {wait} ms, SET LOCAL lock_timeout) and row locks on the rows it updates, held until the batch commits; "
                    + "FOR UPDATE SKIP LOCKED: it never waits for a row an application transaction holds (no deadlock with the application); the rows it skips are recorded with the batch";
        return
        [
            new("batch boundary", Sql.NextBoundary(true), true, "ACCESS SHARE (a plain read)"),
            new("batch", "BEGIN; " + LockTimeoutSql, true),
            new("batch", BatchSql(true, true), true, locks),
            new("batch", $"UPDATE {_state} SET upper_bound = $1, batches = batches + 1, …, skipped = skipped || <skipped keys> WHERE id = 1", false, "the checkpoint row, committed with the batch"),
            new("batch", "COMMIT", false),
            new("skipped row", "BEGIN; " + LockTimeoutSql + "; " + SkippedRowSql() + "; UPDATE … SET skipped = skipped - 0 …; COMMIT", true,
                $"one row lock and the checkpoint row, nothing else; before each batch it tries for {SkippedRowPeek.TotalMilliseconds:0} ms and leaves a row still held for later; after the last key range it waits at most {wait} ms, then retries"),
            new("report", $"SELECT count(*), count(*) FILTER (WHERE <--where>), count(*) FILTER (WHERE <--verify>) FROM {Sql.Source}", false, "ACCESS SHARE (a plain read)"),
        ];
    }

    public async ValueTask DisposeAsync()
    {
        await _probe.DisposeAsync().ConfigureAwait(false);
        if (_main is not null)
        {
            await _main.DisposeAsync().ConfigureAwait(false);
        }
    }
}
