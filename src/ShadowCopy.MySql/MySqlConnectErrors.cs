using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;
using ShadowCopy.MySql.Protocol;

namespace ShadowCopy.MySql;

/// <summary>Classifies a failure to open a session for <see cref="ConnectFailure"/>.</summary>
internal static class MySqlConnectErrors
{
    public static bool IsConnectFailure(Exception error) => error is MySqlException;

    public static ShadowCopyException ToException(MySqlSettings settings, Exception error) =>
        ConnectFailure.Create(MySqlDsn.Describe(settings), Classify(error), error);

    // 1045 ER_ACCESS_DENIED_ERROR, 1044 ER_DBACCESS_DENIED_ERROR, 1698 ER_ACCESS_DENIED_NO_PASSWORD_ERROR,
    // 1049 ER_BAD_DB_ERROR (MariaDB error codes reference).
    private static ConnectFailureKind Classify(Exception error) => error switch
    {
        MySqlServerException { ErrorCode: 1045 or 1044 or 1698 } => ConnectFailureKind.Credentials,
        MySqlServerException { ErrorCode: 1049 } => ConnectFailureKind.DatabaseMissing,
        MySqlIOException or MySqlTimeoutException => ConnectFailureKind.Unreachable,
        _ => ConnectFailureKind.Other,
    };
}
