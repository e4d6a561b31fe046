using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

namespace ShadowCopy.Postgres;

/// <summary>Classifies a failure to open a session for <see cref="ConnectFailure"/>.</summary>
internal static class PgConnectErrors
{
    public static bool IsConnectFailure(Exception error) => error is NpgsqlException or TimeoutException;

    public static ShadowCopyException ToException(NpgsqlConnectionStringBuilder settings, Exception error) =>
        ConnectFailure.Create(PgDsn.Describe(settings), Classify(error), error);

    // SQLSTATE 28P01 invalid_password, 28000 invalid_authorization_specification (no pg_hba entry or role),
    // 3D000 invalid_catalog_name (PostgreSQL docs, Appendix A).
    private static ConnectFailureKind Classify(Exception error) => error switch
    {
        PostgresException { SqlState: "28P01" or "28000" } => ConnectFailureKind.Credentials,
        PostgresException { SqlState: "3D000" } => ConnectFailureKind.DatabaseMissing,
        PostgresException => ConnectFailureKind.Other,
        _ => ConnectFailureKind.Unreachable,
    };
}
