using System.Globalization;
using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.Lint;
using ShadowCopy.Lint.Migrate;
using ShadowCopy.Lint.Plan;
using ShadowCopy.Postgres.Plan;
using ShadowCopy.Postgres.Shadow;

namespace ShadowCopy.Postgres.Migrate;

/// <summary>
/// PostgreSQL side of <c>shadowcopy migrate</c>: native statements through the helper-DDL retry
/// (<see cref="PgObjects.WithLockRetriesAsync"/>: own transaction, SET LOCAL lock_timeout, jittered
/// retries), index statements CONCURRENTLY outside a transaction, and the checkpoint table
/// <c>_shadowcopy_migrate_state</c> in the session's current schema.
/// </summary>
public sealed class PgMigrationBackend(NpgsqlConnectionStringBuilder settings) : IMigrationBackend
{
    private static readonly PgDialect D = PgDialect.Instance;
    private PgSession? _main;
    private string _schema = "public";

    public IChangePlanner Planner { get; } = new PgChangePlanner(settings);

    private PgSession Main => _main ?? throw new InvalidOperationException("not connected");

    private string State => D.Qualified(_schema, MigrationState.Table);

    public async Task<LintTarget> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            _main = await PgSession.OpenAsync(settings, new SqlTranscript(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (PgConnectErrors.IsConnectFailure(error) && !cancellationToken.IsCancellationRequested)
        {
            throw PgConnectErrors.ToException(settings, error);
        }

        var row = (await Main.QueryAsync("SELECT current_setting('server_version_num')::int, current_schema()", null, cancellationToken).ConfigureAwait(false))[0];
        var number = (int)row[0]!;
        _schema = (string?)row[1] ?? "public";
        return new LintTarget(LintDialect.Postgres, new ServerVersion(number / 10000, number % 10000 / 100, number % 100));
    }

    public string DefaultSchema => _schema;

    public async Task<long?> EstimatedRowsAsync(TableName table, CancellationToken cancellationToken)
    {
        var rows = await Main.QueryAsync("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass($1)", [D.Qualified(table)], cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : (long)rows[0][0]!;
    }

    public async Task RunNativeAsync(string sql, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken) =>
        await PgObjects.WithLockRetriesAsync(Main, lockTimeout, attempts, sql, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// CONCURRENTLY cannot run in a transaction block, so the lock_timeout is the session's, on a
    /// session of its own. A build that fails (lock timeout, duplicate key, cancel) leaves an
    /// INVALID index (PostgreSQL docs, CREATE INDEX "Building Indexes Concurrently"): it is dropped
    /// before a retry or before the failure is reported.
    /// </summary>
    public async Task RunIndexAsync(MigrationStep step, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        var session = await PgSession.OpenAsync(settings, new SqlTranscript(), cancellationToken).ConfigureAwait(false);
        await using var sessionScope = session.ConfigureAwait(false);
        await session.ExecuteAsync(string.Create(CultureInfo.InvariantCulture, $"SET lock_timeout = '{Math.Max(1, (long)lockTimeout.TotalMilliseconds)}ms'"), null, cancellationToken).ConfigureAwait(false);
        var table = step.Statement.TableName is { } name ? new TableName(step.Statement.TableSchema ?? _schema, name) : null;
        var invalidBefore = table is null ? [] : await InvalidIndexesAsync(session, table, cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await session.ExecuteAsync(step.Sql, null, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception error) when (error is PostgresException or OperationCanceledException)
            {
                if (table is not null)
                {
                    foreach (var index in (await InvalidIndexesAsync(session, table, CancellationToken.None).ConfigureAwait(false)).Except(invalidBefore))
                    {
                        await session.ExecuteAsync($"DROP INDEX CONCURRENTLY IF EXISTS {index}", null, CancellationToken.None).ConfigureAwait(false);
                    }
                }

                if (!PgErrors.IsLockTimeout(error) || attempt >= attempts)
                {
                    throw;
                }

                await Task.Delay(Backoff.Jittered(attempt, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5)), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<HashSet<string>> InvalidIndexesAsync(PgSession session, TableName table, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync("SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = to_regclass($1) AND NOT indisvalid", [D.Qualified(table)], cancellationToken).ConfigureAwait(false);
        return rows.Select(r => (string)r[0]!).ToHashSet(StringComparer.Ordinal);
    }

    public async Task<MigrationCheckpoint?> ReadCheckpointAsync(string id, CancellationToken cancellationToken)
    {
        var exists = await Main.QueryAsync("SELECT 1 FROM pg_class WHERE oid = to_regclass($1)", [State], cancellationToken).ConfigureAwait(false);
        if (exists.Count == 0)
        {
            return null;
        }

        var rows = await Main.QueryAsync($"SELECT files, statements, done FROM {State} WHERE id = $1", [id], cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : new MigrationCheckpoint(id, (string)rows[0][0]!, (int)rows[0][1]!, (int)rows[0][2]!);
    }

    public async Task WriteCheckpointAsync(MigrationCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        // Table and marker together (one implicit transaction): `shadowcopy cleanup --migrations` drops only a marked table.
        await Main.ExecuteAsync(
            $"CREATE TABLE IF NOT EXISTS {State} (id text PRIMARY KEY, files text NOT NULL, statements int NOT NULL, done int NOT NULL, updated_at timestamptz NOT NULL); "
            + $"COMMENT ON TABLE {State} IS {D.QuoteLiteral(MigrationState.Comment)}",
            null,
            cancellationToken).ConfigureAwait(false);
        await Main.ExecuteAsync(
            $"INSERT INTO {State} VALUES ($1, $2, $3, $4, now()) ON CONFLICT (id) DO UPDATE SET done = EXCLUDED.done, updated_at = now()",
            [checkpoint.Id, checkpoint.Files, checkpoint.Statements, checkpoint.Done],
            cancellationToken).ConfigureAwait(false);
    }

    public async Task DropCheckpointAsync(string id, CancellationToken cancellationToken)
    {
        await Main.ExecuteAsync($"DELETE FROM {State} WHERE id = $1", [id], cancellationToken).ConfigureAwait(false);
        if ((await Main.QueryAsync($"SELECT 1 FROM {State} LIMIT 1", null, cancellationToken).ConfigureAwait(false)).Count == 0)
        {
            await Main.ExecuteAsync($"DROP TABLE IF EXISTS {State}", null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>shadowcopy cleanup --migrations</c>: drops the checkpoint table of the current schema if it is ours.</summary>
    internal static async Task<IReadOnlyList<string>> CleanupAsync(PgSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var schema = (string?)(await session.QueryAsync("SELECT current_schema()", null, cancellationToken).ConfigureAwait(false))[0][0] ?? "public";
        var found = await session.QueryAsync(PgObjects.RelationSql, [schema, new[] { MigrationState.Table }], cancellationToken).ConfigureAwait(false);
        if (!found.Any(r => ((string)r[1]!).StartsWith(PgObjects.Marker, StringComparison.Ordinal)))
        {
            return [];
        }

        await session.ExecuteAsync($"DROP TABLE IF EXISTS {D.Qualified(schema, MigrationState.Table)}", null, cancellationToken).ConfigureAwait(false);
        return [$"table {MigrationState.Table} (migration checkpoints)"];
    }

    public async ValueTask DisposeAsync()
    {
        if (_main is not null)
        {
            await _main.DisposeAsync().ConfigureAwait(false);
        }
    }
}
