namespace ShadowCopy.MySql.Protocol;

/// <summary>A connect or command timeout elapsed.</summary>
public sealed class MySqlTimeoutException : MySqlException
{
    public MySqlTimeoutException()
    {
    }

    public MySqlTimeoutException(string message)
        : base(message)
    {
    }

    public MySqlTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
