namespace ShadowCopy.MySql.Protocol;

/// <summary>An ERR packet sent by the server, with its error code and SQLSTATE.</summary>
public sealed class MySqlServerException : MySqlException
{
    public MySqlServerException()
    {
        SqlState = "HY000";
    }

    public MySqlServerException(string message)
        : base(message)
    {
        SqlState = "HY000";
    }

    public MySqlServerException(string message, Exception innerException)
        : base(message, innerException)
    {
        SqlState = "HY000";
    }

    public MySqlServerException(int errorCode, string sqlState, string message)
        : base(message)
    {
        ErrorCode = errorCode;
        SqlState = sqlState;
    }

    public MySqlServerException(int errorCode, string sqlState, string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        SqlState = sqlState;
    }

    /// <summary>Server error number, e.g. 1062 (ER_DUP_ENTRY).</summary>
    public int ErrorCode { get; }

    /// <summary>Five-character SQLSTATE, "HY000" when the server did not send one.</summary>
    public string SqlState { get; }
}
