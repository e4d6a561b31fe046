using System.Net.Sockets;
using ShadowCopy.MySql.Protocol;
using DriverErrorCode = MySqlConnector.MySqlErrorCode;
using DriverException = MySqlConnector.MySqlException;

namespace ShadowCopy.MySql;

/// <summary>
/// Maps MySqlConnector's failures onto the provider's exception types, which every caller (and
/// <see cref="MySqlErrors"/>) branches on and which the replication stream raises too: an error the
/// server sent becomes <see cref="MySqlServerException"/> with its code and SQLSTATE; a lost connection
/// <see cref="MySqlIOException"/>; the command timeout <see cref="MySqlTimeoutException"/>. Cancellation
/// asked for by the caller stays an <see cref="OperationCanceledException"/> (the driver has sent KILL QUERY).
/// </summary>
internal static class MySqlSessionErrors
{
    public static async Task<T> TranslateAsync<T>(Func<Task<T>> run)
    {
        try
        {
            return await run().ConfigureAwait(false);
        }
        catch (Exception error) when (Translate(error) is { } translated)
        {
            throw translated;
        }
    }

    public static async Task TranslateAsync(Func<Task> run)
    {
        try
        {
            await run().ConfigureAwait(false);
        }
        catch (Exception error) when (Translate(error) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>The provider's exception for <paramref name="error"/>, or null to let it through unchanged.</summary>
    internal static Exception? Translate(Exception error) => error switch
    {
        DriverException { ErrorCode: DriverErrorCode.CommandTimeoutExpired } timeout => new MySqlTimeoutException(timeout.Message, timeout),

        // The driver uses 1042 (ER_BAD_HOST_ERROR) for every failure to connect, authenticate or negotiate TLS that the server did not answer with an error of its own.
        DriverException { ErrorCode: DriverErrorCode.UnableToConnectToHost } connect => new MySqlIOException(connect.Message, connect),
        DriverException { ErrorCode: > 0 } server => new MySqlServerException((int)server.ErrorCode, string.IsNullOrEmpty(server.SqlState) ? "HY000" : server.SqlState, server.Message, server),
        DriverException other when other.InnerException is IOException or SocketException => new MySqlIOException(other.Message, other),
        DriverException other => new MySqlProtocolException(other.Message, other),
        IOException or SocketException => new MySqlIOException(error.Message, error),

        // A command on a connection the driver has already closed after a transport failure.
        InvalidOperationException when error.Message.StartsWith("Connection must be Open", StringComparison.Ordinal) => new MySqlIOException(error.Message, error),
        _ => null,
    };
}
