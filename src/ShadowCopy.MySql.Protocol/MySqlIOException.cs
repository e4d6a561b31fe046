namespace ShadowCopy.MySql.Protocol;

/// <summary>The transport failed: connection refused, reset or closed by the server.</summary>
public sealed class MySqlIOException : MySqlException
{
    public MySqlIOException()
    {
    }

    public MySqlIOException(string message)
        : base(message)
    {
    }

    public MySqlIOException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
