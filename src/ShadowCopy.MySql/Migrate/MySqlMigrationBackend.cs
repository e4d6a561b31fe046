using ShadowCopy.Lint;
using ShadowCopy.Lint.Plan;
using ShadowCopy.Lint.Migrate;
using ShadowCopy.Core.Schema;
using ShadowCopy.Core.Sql;
using ShadowCopy.MySql.Plan;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql.Migrate;

/// <summary>
/// MySQL/MariaDB side of <c>shadowcopy migrate</c>: native and index statements through the helper-DDL
/// retry (<see cref="MySqlObjects.WithLockRetriesAsync"/>: bounded lock_wait_timeout, jittered
/// retries); the checkpoint table <c>_shadowcopy_migrate_state</c> in the DSN's database.
/// </summary>
public sealed class MySqlMigrationBackend(MySqlSettings settings) : IMigrationBackend
{
    private MySqlSession? _main;
    private string _database = string.Empty;

    public IChangePlanner Planner { get; } = new MySqlChangePlanner(settings);

    private MySqlSession Main => _main ?? throw new InvalidOperationException("not connected");

    private string State => MySqlStatements.Q(_database, MigrationState.Table);

    public async Task<LintTarget> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            _main = await MySqlSession.OpenAsync(settings, new SqlTranscript(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (MySqlConnectErrors.IsConnectFailure(error))
        {
            throw MySqlConnectErrors.ToException(settings, error);
        }

        _database = await Main.ScalarStringAsync("SELECT DATABASE()", cancellationToken).ConfigureAwait(false)
            ?? throw new Core.Model.ShadowCopyException("The DSN names no database (mysql://user@host/DATABASE): migrate needs one for unqualified tables and its checkpoint.", Core.Model.ExitCodes.UsageError);
        var version = await Main.ScalarStringAsync("SELECT VERSION()", cancellationToken).ConfigureAwait(false) ?? Main.ServerVersion;
        return new LintTarget(Main.IsMariaDb ? LintDialect.MariaDb : LintDialect.MySql, MySqlPlanner.Version(version));
    }

    public string DefaultSchema => _database;

    public async Task<long?> EstimatedRowsAsync(TableName table, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        var rows = await Main.QueryAsync($"SELECT COALESCE(TABLE_ROWS, 0) FROM information_schema.TABLES WHERE TABLE_SCHEMA = {Main.Literal(table.Schema)} AND BINARY TABLE_NAME = {Main.Literal(table.Name)}", cancellationToken).ConfigureAwait(false);
        return rows.Rows.Count == 0 ? null : rows.Rows[0].GetInt64(0);
    }

    public async Task RunNativeAsync(string sql, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken) =>
        await MySqlObjects.WithLockRetriesAsync(Main, lockTimeout, attempts, sql, cancellationToken).ConfigureAwait(false);

    /// <summary>An online index build that fails (duplicate key, lock timeout) is rolled back by InnoDB as a whole; retrying is safe.</summary>
    public async Task RunIndexAsync(MigrationStep step, TimeSpan lockTimeout, int attempts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        await MySqlObjects.WithLockRetriesAsync(Main, lockTimeout, attempts, step.Sql, cancellationToken).ConfigureAwait(false);
    }

    public async Task<MigrationCheckpoint?> ReadCheckpointAsync(string id, CancellationToken cancellationToken)
    {
        if (!(await MySqlObjects.HelperTablesAsync(Main, _database, [MigrationState.Table], cancellationToken).ConfigureAwait(false)).ContainsKey(MigrationState.Table))
        {
            return null;
        }

        var rows = await Main.QueryAsync($"SELECT files, statements, done FROM {State} WHERE id = {Main.Literal(id)}", cancellationToken).ConfigureAwait(false);
        return rows.Rows.Count == 0 ? null : new MigrationCheckpoint(id, rows.Rows[0].GetString(0), rows.Rows[0].GetInt32(1), rows.Rows[0].GetInt32(2));
    }

    public async Task WriteCheckpointAsync(MigrationCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        await Main.ExecuteAsync(
            $"CREATE TABLE IF NOT EXISTS {State} (id VARCHAR(64) NOT NULL PRIMARY KEY, files TEXT NOT NULL, statements INT NOT NULL, done INT NOT NULL, updated_at DATETIME(6) NOT NULL) ENGINE=InnoDB COMMENT={Main.Literal(MigrationState.Comment)}",
            cancellationToken).ConfigureAwait(false);
        await Main.ExecuteAsync(
            $"INSERT INTO {State} VALUES ({Main.Literal(checkpoint.Id)}, {Main.Literal(checkpoint.Files)}, {checkpoint.Statements}, {checkpoint.Done}, NOW(6)) ON DUPLICATE KEY UPDATE done = VALUES(done), updated_at = NOW(6)",
            cancellationToken).ConfigureAwait(false);
    }

    public async Task DropCheckpointAsync(string id, CancellationToken cancellationToken)
    {
        await Main.ExecuteAsync($"DELETE FROM {State} WHERE id = {Main.Literal(id)}", cancellationToken).ConfigureAwait(false);
        if (await Main.ScalarInt64Async($"SELECT COUNT(*) FROM {State}", cancellationToken).ConfigureAwait(false) == 0)
        {
            await Main.ExecuteAsync($"DROP TABLE IF EXISTS {State}", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>shadowcopy cleanup --migrations</c>: drops the checkpoint table of the DSN's database if it is ours.</summary>
    internal static async Task<IReadOnlyList<string>> CleanupAsync(MySqlSession session, string database, CancellationToken cancellationToken)
    {
        if (!(await MySqlObjects.HelperTablesAsync(session, database, [MigrationState.Table], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(MigrationState.Table))
        {
            return [];
        }

        await session.ExecuteAsync($"DROP TABLE IF EXISTS {MySqlStatements.Q(database, MigrationState.Table)}", cancellationToken).ConfigureAwait(false);
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
