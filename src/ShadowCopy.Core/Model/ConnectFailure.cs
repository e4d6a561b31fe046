using System.Net.Sockets;

namespace ShadowCopy.Core.Model;

/// <summary>Why a connection could not be opened, as far as the provider can tell from its driver's error.</summary>
public enum ConnectFailureKind
{
    /// <summary>Nothing answered at the host and port: refused, unreachable, timed out.</summary>
    Unreachable,

    /// <summary>The server answered and refused the user or password.</summary>
    Credentials,

    /// <summary>The server answered and has no database of that name.</summary>
    DatabaseMissing,

    /// <summary>Anything else (TLS, protocol, server limits).</summary>
    Other,
}

/// <summary>
/// The one message a failed connection gets, in every command and for both engines: what failed and
/// what to check, on one line, so the terminal shows no driver internals (issue 13). The driver's
/// exception stays the inner exception for the journal and --verbose.
/// </summary>
public static class ConnectFailure
{
    public static ShadowCopyException Create(string target, ConnectFailureKind kind, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var detail = error.Message.Trim().TrimEnd('.');
        if (kind == ConnectFailureKind.Unreachable && FindSocketError(error) is { } socket && !detail.Contains(socket.Message, StringComparison.OrdinalIgnoreCase))
        {
            detail = $"{detail} ({socket.Message.TrimEnd('.').ToLowerInvariant()})";
        }

        var advice = kind switch
        {
            ConnectFailureKind.Unreachable => "check that the server is running and that host and port in --dsn are right",
            ConnectFailureKind.Credentials => "check the user in --dsn and the password (SHADOWCOPY_PASSWORD, PGPASSWORD or MYSQL_PWD, ~/.pgpass or ~/.my.cnf)",
            ConnectFailureKind.DatabaseMissing => "check the database name in --dsn",
            _ => "check --dsn and the server's log",
        };
        return new ShadowCopyException($"Cannot connect to {target}: {detail}; {advice}.", ExitCodes.ConnectionFailed, error);
    }

    private static SocketException? FindSocketError(Exception? error)
    {
        for (; error is not null; error = error.InnerException)
        {
            if (error is SocketException socket)
            {
                return socket;
            }
        }

        return null;
    }
}
