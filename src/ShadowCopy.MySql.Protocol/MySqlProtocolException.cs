namespace ShadowCopy.MySql.Protocol;

/// <summary>The server sent bytes that do not follow the protocol, or a feature the client refuses (unsupported auth plugin, TLS policy).</summary>
public sealed class MySqlProtocolException : MySqlException
{
    public MySqlProtocolException()
    {
    }

    public MySqlProtocolException(string message)
        : base(message)
    {
    }

    public MySqlProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
