using Npgsql;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// The application's session on PostgreSQL (no lenient values exist there). Deadlocks and lock
/// timeouts are retried like an application would, at most 10 times.
/// </summary>
internal sealed class PgDiffWriter(NpgsqlConnection connection) : IDiffWriter
{
    private static readonly string[] Retryable = [PostgresErrorCodes.DeadlockDetected, PostgresErrorCodes.SerializationFailure, PostgresErrorCodes.LockNotAvailable];

    public int Retries { get; private set; }

    public async Task<string?> RunAsync(DiffTransaction transaction, string table)
    {
        for (var attempt = 1; ; attempt++)
        {
            var error = await RunOnceAsync(transaction, table);
            if (error is not { } e || attempt == 10 || !Retryable.Contains(e.SqlState))
            {
                return error?.Message;
            }

            Retries++;
            await Task.Delay(20 * attempt);
        }
    }

    private async Task<(string SqlState, string Message)?> RunOnceAsync(DiffTransaction transaction, string table)
    {
        try
        {
            await ExecAsync("BEGIN");
            foreach (var statement in transaction.Statements)
            {
                await ExecAsync(statement(table));
            }

            await ExecAsync("COMMIT");
            return null;
        }
        catch (PostgresException error)
        {
            await ExecAsync("ROLLBACK");
            return (error.SqlState, $"{error.SqlState}: {error.MessageText}");
        }
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();

    private async Task ExecAsync(string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
