namespace ShadowCopy.Core.Model;

/// <summary>
/// A server error that is safe to retry after backing off (deadlock, lock wait timeout,
/// serialization failure). Providers translate their engine's codes into this type.
/// </summary>
public sealed class RetryableDatabaseException : Exception
{
    public RetryableDatabaseException(string message, string serverCode, Exception inner)
        : base(message, inner)
    {
        ServerCode = serverCode;
    }

    public string ServerCode { get; }
}
