using ShadowCopy.IntegrationTests.MySql;
using ShadowCopy.MySql;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.IntegrationTests.Differential;

/// <summary>
/// The application's session on MariaDB: the server's default (strict) sql_mode, except for a
/// transaction that writes a lenient value (an unknown ENUM member, key 0), which runs under
/// NO_AUTO_VALUE_ON_ZERO alone — on both tables alike. A deadlock or lock wait timeout (trigger
/// capture writes the shadow inside the application's transaction, next to the copy's locks) is
/// retried like an application would, at most 10 times.
/// </summary>
internal sealed class MyDiffWriter(MyConnection connection) : IDiffWriter
{
    private const int Deadlock = 1213;
    private const int LockWaitTimeout = 1205;

    public int Retries { get; private set; }

    public async Task<string?> RunAsync(DiffTransaction transaction, string table)
    {
        for (var attempt = 1; ; attempt++)
        {
            var error = await RunOnceAsync(transaction, table);
            if (error is not { } e || attempt == 10 || (e.Code != Deadlock && e.Code != LockWaitTimeout))
            {
                return error?.Message;
            }

            Retries++;
            await Task.Delay(20 * attempt);
        }
    }

    private async Task<(int Code, string Message)?> RunOnceAsync(DiffTransaction transaction, string table)
    {
        if (transaction.Lenient)
        {
            await connection.ExecuteAsync("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'");
        }

        try
        {
            await connection.ExecuteAsync("START TRANSACTION");
            foreach (var statement in transaction.Statements)
            {
                await connection.ExecuteAsync(statement(table));
            }

            await connection.ExecuteAsync("COMMIT");
            return null;
        }
        catch (MySqlServerException error)
        {
            await connection.ExecuteAsync("ROLLBACK");
            return (error.ErrorCode, $"{error.ErrorCode}: {error.Message}");
        }
        finally
        {
            if (transaction.Lenient)
            {
                await connection.ExecuteAsync("SET SESSION sql_mode = DEFAULT");
            }
        }
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
