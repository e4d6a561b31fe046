using Npgsql;

namespace ShadowCopy.Postgres;

/// <summary>SQLSTATE classification (PostgreSQL docs, Appendix A "Error Codes").</summary>
internal static class PgErrors
{
    public const string LockNotAvailable = "55P03";
    public const string DeadlockDetected = "40P01";
    public const string SerializationFailure = "40001";
    public const string QueryCanceled = "57014";
    public const string UniqueViolation = "23505";
    public const string ExclusionViolation = "23P01";

    public static bool IsLockTimeout(Exception error) => error is PostgresException { SqlState: LockNotAvailable };

    public static bool IsRetryable(Exception error) =>
        error is PostgresException { SqlState: LockNotAvailable or DeadlockDetected or SerializationFailure };

    /// <summary>A row conflicted with a unique index or an exclusion constraint (what ON CONFLICT DO NOTHING skips).</summary>
    public static bool IsConflict(Exception error) => error is PostgresException { SqlState: UniqueViolation or ExclusionViolation };

    public static bool IsConnectionLoss(Exception error) =>
        error is NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException } or NpgsqlException { IsTransient: true } && error is not PostgresException;
}
