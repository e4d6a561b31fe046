using Npgsql;
using ShadowCopy.Core.Engine;
using ShadowCopy.Core.Model;

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

    /// <summary>
    /// A value the target column cannot take: class 22 (data exception: out of range, too long,
    /// invalid input), a NOT NULL or CHECK (domain) violation. Raised by the copy or an applier
    /// writing a row into the shadow, it means the change converts data the new shape cannot hold.
    /// </summary>
    public static bool IsDataError(Exception error) =>
        error is PostgresException { SqlState: var state } && (state.StartsWith("22", StringComparison.Ordinal) || state is "23502" or "23514");

    /// <summary>
    /// The refusal for <see cref="IsDataError"/> (exit 7). The server's message names the type, not
    /// the row (its detail, which can quote the whole row, is left out).
    /// </summary>
    public static ShadowCopyException ConversionRefused(PostgresException error) => new(
        $"A row cannot be converted to the new shape: {error.MessageText} (SQLSTATE {error.SqlState}). Nothing was swapped and the original table is untouched; fix or remove the rows that do not fit, or change the ALTER, and run again.",
        ExitCodes.AlterRejected,
        error);

    public static bool IsConnectionLoss(Exception error) =>
        error is NpgsqlException { InnerException: IOException or System.Net.Sockets.SocketException } or NpgsqlException { IsTransient: true } && error is not PostgresException;
}
