using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>Server error codes we branch on (MariaDB KB "MariaDB Error Codes").</summary>
internal static class MySqlErrors
{
    public const int LockWaitTimeout = 1205;
    public const int Deadlock = 1213;
    public const int DuplicateKey = 1062;
    public const int TableExists = 1050;
    public const int NoSuchTable = 1146;
    public const int UnknownTable = 1051;
    public const int TriggerDoesNotExist = 1360;
    public const int QueryInterrupted = 1317;
    public const int ServerShutdown = 1053;
    public const int ConnectionKilled = 1927;

    public static bool IsLockTimeout(Exception error) => error is MySqlServerException { ErrorCode: LockWaitTimeout };

    public static bool IsRetryable(Exception error) => error is MySqlServerException { ErrorCode: LockWaitTimeout or Deadlock };

    /// <summary>The connection is gone (socket, timeout, or the server killed it): the statement's outcome is unknown.</summary>
    public static bool IsConnectionLoss(Exception error) =>
        error is MySqlIOException or MySqlTimeoutException or MySqlServerException { ErrorCode: ConnectionKilled or ServerShutdown };

    public static string Describe(MySqlServerException error) => $"{error.Message} (error {error.ErrorCode}, SQLSTATE {error.SqlState})";
}
