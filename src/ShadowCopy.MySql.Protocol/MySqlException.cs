namespace ShadowCopy.MySql.Protocol;

/// <summary>Base type of every error raised by the wire client.</summary>
public class MySqlException : Exception
{
    public MySqlException()
    {
    }

    public MySqlException(string message)
        : base(message)
    {
    }

    public MySqlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
